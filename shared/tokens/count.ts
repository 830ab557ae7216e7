// Exact token counting (o200k_base, via gpt-tokenizer) behind a small port.
// The rank table is parsed when this module is evaluated (a static import cannot defer that); the
// encoder's lookup maps, the costlier step, are built lazily on first use, once per isolate.
import { GptEncoding } from "gpt-tokenizer/GptEncoding";
import o200kRanks from "gpt-tokenizer/bpeRanks/o200k_base";

/** Counts, encodes and decodes text with one fixed BPE encoding. */
export interface TokenCounter {
  /** The encoding's name, e.g. `"o200k_base"` (GPT-4o, GPT-4.1, GPT-5, o-series). */
  readonly encoding: string;
  /**
   * The exact number of tokens in `text`. Linear for real text, but quadratic in the length of
   * one unbroken run (100k chars of "aaaa..." takes seconds): bound input length before calling.
   */
  count(text: string): number;
  /** The token ids of `text`. */
  encode(text: string): number[];
  /**
   * The text of `tokens` (ids from `encode`); a slice that cuts a multi-byte character decodes
   * to U+FFFD there, and no state carries over between calls.
   */
  decode(tokens: number[]): string;
}

const ENCODING = "o200k_base";

// User text is data: a literal "<|endoftext|>" is counted as ordinary text (as the provider
// does for message content) rather than throwing or becoming a control token.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

let memo: GptEncoding | undefined;

function encoder(): GptEncoding {
  memo ??= GptEncoding.getEncodingApi(ENCODING, () => o200kRanks);
  return memo;
}

const counter: TokenCounter = {
  encoding: ENCODING,
  count: (text) => (text.length === 0 ? 0 : encoder().countTokens(text, PLAIN_TEXT)),
  encode: (text) => (text.length === 0 ? [] : encoder().encode(text, PLAIN_TEXT)),
  decode: decodeTokens,
};

const utf8 = new TextDecoder();

/**
 * Decodes straight from the rank table. gpt-tokenizer 4.0.0's `decode` shares one streaming
 * TextDecoder, so a slice that ends inside a character loses it and leaks its bytes into the next
 * call; here every call stands alone and a cut character decodes to U+FFFD.
 */
function decodeTokens(tokens: number[]): string {
  let text = "";
  let bytes: number[] = [];
  for (const id of tokens) {
    const piece = o200kRanks[id];
    if (piece === undefined) throw new RangeError(`token ${id} is not in ${ENCODING}`);
    if (typeof piece !== "string") {
      for (const byte of piece) bytes.push(byte);
      continue;
    }
    // A string token is whole UTF-8, so it can't complete bytes pending before it.
    if (bytes.length > 0) text += utf8.decode(Uint8Array.from(bytes));
    bytes = [];
    text += piece;
  }
  return bytes.length > 0 ? text + utf8.decode(Uint8Array.from(bytes)) : text;
}

/**
 * The exact o200k_base counter. Cheap to call: every counter shares one encoder per isolate,
 * built on the first `count`/`encode`/`decode` (about 100 ms of CPU in Node), not here.
 *
 * @example
 * const counter = createTokenCounter();
 * counter.count("Hello, world!"); // 4
 */
export function createTokenCounter(): TokenCounter {
  return counter;
}

/** Whether this isolate has built the encoder yet (for tests and cold-start diagnostics). */
export function isTokenEncoderBuilt(): boolean {
  return memo !== undefined;
}

/**
 * ESTIMATE ONLY: `ceil(chars / 4)`, with no encoder. Good for English prose give or take ~20%;
 * it undercounts CJK text (about one token per character) and emoji several-fold. Use it for
 * cheap pre-checks and rate-limit reservations, never where a budget must hold exactly.
 */
export function approxTokenCount(text: string): number {
  return Math.ceil(text.length / 4);
}
