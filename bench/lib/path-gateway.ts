// The gateway as the request-path benchmarks run it: `wrangler dev` against the mock upstream
// (chat goes upstream, embeddings stay local), the sample corpus seeded, keys only, and a key
// whose limits never refuse, so what is measured is the path and not a 429.
import { createApiKey } from "../../test/support/api-key.js";
import { startWranglerDev, type WranglerDev } from "../../test/support/wrangler-dev.js";

export const ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";

/** The variables the gateway runs with, its chat provider at `upstreamUrl`. */
export function pathGatewayVars(upstreamUrl: string): Record<string, string> {
  return {
    OPENAI_API_KEY: "sk-bench-path",
    OPENAI_BASE_URL: upstreamUrl,
    ADMIN_TOKEN,
    SEED_SAMPLE_CORPUS: "true",
    EMBEDDING_MODEL: "local-hash-embed",
    ALLOW_ANONYMOUS: "false",
  };
}

/** The question of the path benchmarks' cache hits (the first request fills the cache). */
export const HIT_QUERY = { query: "How are rate limits enforced?", model: "local-extractive" };

/** Query `i` of the benchmarks' answer-cache misses: the hit's question made new each time. */
export const askBody = (i: number) => ({
  ...HIT_QUERY,
  query: `${HIT_QUERY.query} (${i} ${Date.now()})`,
});

/** A chat body; `cacheable` sends temperature 0, which the chat cache looks up and fills. */
export const chatBody = (i: number, stream: boolean, cacheable = false) => ({
  model: "gpt-4o-mini",
  // A new question each time: a cacheable request misses, never hits.
  messages: [{ role: "user", content: `path benchmark question ${i} ${Date.now()}` }],
  max_tokens: 16,
  ...(cacheable ? { temperature: 0 } : {}),
  ...(stream ? { stream: true } : {}),
});

/** Milliseconds until the first body bytes of a streamed response (read to its end; a status
 * other than 200 throws). */
export async function timeToFirstByte(url: string, init: RequestInit): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  const reader = res.body?.getReader();
  if (!reader) throw new Error("no body");
  await reader.read();
  const first = performance.now() - t0;
  while (!(await reader.read()).done) {
    // drain
  }
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return first;
}

/** Starts the gateway with its chat provider at `upstreamUrl`. */
export function startPathGateway(upstreamUrl: string, inspector = true): Promise<WranglerDev> {
  return startWranglerDev({ inspector, vars: pathGatewayVars(upstreamUrl), timeoutMs: 120_000 });
}

/** The Authorization header of a new key at the highest limits a key may have. */
export async function highRateKeyHeaders(
  gatewayUrl: string,
  name: string,
): Promise<Record<string, string>> {
  const issued = await createApiKey(gatewayUrl, ADMIN_TOKEN, {
    name,
    rpm: 100_000,
    tpm: 100_000_000,
    daily_budget_usd: 1_000_000,
    monthly_budget_usd: 1_000_000,
  });
  return { authorization: `Bearer ${issued.key}` };
}
