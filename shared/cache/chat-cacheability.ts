// Which chat completions the cache may serve. A sampled completion (temperature above 0, or
// absent: OpenAI's default is 1) is one draw among many, and a client that asks again expects
// another draw ("regenerate"), so only a reproducible request is cached by default: temperature
// exactly 0, or a `seed` (OpenAI's reproducibility parameter). A sampled request opts in with
// `Cache-Control: max-age=<n>`, accepting any stored draw up to n seconds old.
import type { CacheDirectives } from "./directives.js";

/** The parameters of a chat request that decide whether it is reproducible. */
export interface SamplingParams {
  temperature?: number | null | undefined;
  seed?: number | null | undefined;
}

/** Neither looked up nor stored: the request never touches the cache. */
export const NO_CACHE: CacheDirectives = Object.freeze({ lookup: false, store: false });

/** True when the request asks for the same completion every time: temperature 0, or a seed. */
export function isReproducible(params: SamplingParams): boolean {
  return params.temperature === 0 || (params.seed !== undefined && params.seed !== null);
}

/**
 * What a non-streamed chat request may do with the cache: its own directives when it is
 * reproducible or opted in with `max-age`, else {@link NO_CACHE}. `no-cache`, `no-store` and
 * `max-age=0` keep their meaning either way.
 * @example
 * chatCacheDirectives({ temperature: 0 }, { lookup: true, store: true }); // cached
 * chatCacheDirectives({}, { lookup: true, store: true }); // NO_CACHE: a sampled request
 * chatCacheDirectives({}, { lookup: true, store: true, maxAgeSeconds: 60 }); // opted in
 */
export function chatCacheDirectives(
  params: SamplingParams,
  directives: CacheDirectives,
): CacheDirectives {
  if (isReproducible(params) || directives.maxAgeSeconds !== undefined) return directives;
  return NO_CACHE;
}
