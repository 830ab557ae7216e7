// A token counter that counts each distinct text once over its lifetime: planning a chat counts
// the whole prompt and then the ask again (the last user message, for the task's shape), and a
// long ask is most of a prompt's cost (about 7 ms for 100 KB of text). Made per request, so what
// it remembers lives no longer than the request.
import type { TokenCounter } from "./count.js";

/** `counter`, answering `count` for a text it has counted before from memory. */
export function countingOnce(counter: TokenCounter): TokenCounter {
  const counted = new Map<string, number>();
  return {
    encoding: counter.encoding,
    count(text) {
      let tokens = counted.get(text);
      if (tokens === undefined) {
        tokens = counter.count(text);
        counted.set(text, tokens);
      }
      return tokens;
    },
    encode: (text) => counter.encode(text),
    decode: (tokens) => counter.decode(tokens),
  };
}
