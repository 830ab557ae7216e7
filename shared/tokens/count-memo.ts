// Token counts remembered per caller. A conversation resends its whole history with every turn,
// and an agent its whole context with every step, so most of a long prompt was already counted
// for the caller's previous request; counting is linear in the text (about 0.1 ms per KB), so
// that history was most of what planning a long request cost. Exact (the same text gets the
// count the counter gave it), bounded in bytes, and scoped to one caller: how fast a text counts
// must not tell one caller whether another has sent it.
import { ByteLru } from "../util/byte-lru.js";
import type { Clock } from "../ports.js";
import type { TokenCounter } from "./count.js";

export interface CountMemoOptions {
  /** Upper bound on the memory the remembered texts take (counted as two bytes a character). */
  maxBytes: number;
  /** Texts shorter than this are counted every time: they cost less to count than to remember. */
  minChars: number;
  /** How long a count is kept after it was made. */
  ttlMs: number;
  clock?: Clock;
}

export interface CountMemo {
  /** `counter` for `scope`'s requests: `count` answers from memory what this scope counted. */
  counterFor(scope: string, counter: TokenCounter): TokenCounter;
}

/** Defaults for one isolate: 4 MiB of text, texts of 256 characters and more, 10 minutes. */
export const COUNT_MEMO_DEFAULTS: CountMemoOptions = {
  maxBytes: 4 * 1024 * 1024,
  minChars: 256,
  ttlMs: 10 * 60_000,
};

/** Creates an isolate's memo of token counts. */
export function createCountMemo(options: CountMemoOptions = COUNT_MEMO_DEFAULTS): CountMemo {
  const counts = new ByteLru<number>({
    maxBytes: options.maxBytes,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    counterFor(scope, counter) {
      return {
        encoding: counter.encoding,
        count(text) {
          if (text.length < options.minChars) return counter.count(text);
          // The scope's length first: no scope's text can pass for another scope's.
          const key = `${scope.length}:${scope}:${counter.encoding}:${text}`;
          const known = counts.get(key);
          if (known !== undefined) return known;
          const tokens = counter.count(text);
          counts.set(key, tokens, { bytes: key.length * 2, ttlMs: options.ttlMs });
          return tokens;
        },
        encode: (text) => counter.encode(text),
        decode: (tokens) => counter.decode(tokens),
      };
    },
  };
}
