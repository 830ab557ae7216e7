// Exact token counting (o200k_base) behind a small port: gpt-tokenizer's fast BPE engine, fed
// js-tiktoken's compact rank string (cheap to evaluate at Worker startup, unlike gpt-tokenizer's
// 2.4 MB rank array). Expanding the ranks and building the encoder wait for first use.
import { GptEncoding } from "gpt-tokenizer/GptEncoding";
import o200kCompact from "js-tiktoken/ranks/o200k_base";
import { expandCompactRanks, type RankTable } from "./compact-ranks.js";

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

interface Built {
  readonly encoder: GptEncoding;
  readonly ranks: RankTable;
}

let memo: Built | undefined;

function built(): Built {
  if (memo === undefined) {
    const ranks = expandCompactRanks(o200kCompact.bpe_ranks);
    const encoder = GptEncoding.getEncodingApi(ENCODING, () => ranks);
    matchLeadingBom(encoder, ranks);
    memo = { encoder, ranks };
  }
  return memo;
}

/** The private part of gpt-tokenizer 4.0.0's BytePairEncodingCore that `matchLeadingBom` patches. */
interface BpeCore {
  getBpeRankFromBytes: (key: Uint8Array) => number | undefined;
}

const BOM_BYTES = "239,187,191";
const isBom = (key: Uint8Array): boolean => key[0] === 0xef && key[1] === 0xbb && key[2] === 0xbf;

/**
 * gpt-tokenizer 4.0.0 looks up any valid-UTF-8 byte run by its text, but its decoder drops a
 * leading U+FEFF, so no merge inside a piece that starts with one ever matches ("\uFEFF" counts 2
 * tokens, js-tiktoken 1). The table keeps such tokens as bytes; look byte runs that start with
 * EF BB BF up among those instead. Throws if the engine's internals no longer fit.
 */
function matchLeadingBom(encoder: GptEncoding, ranks: RankTable): void {
  const core = (encoder as unknown as { bytePairEncodingCoreProcessor?: Partial<BpeCore> })
    .bytePairEncodingCoreProcessor;
  const byText = core?.getBpeRankFromBytes?.bind(core);
  if (core === undefined || byText === undefined) {
    throw new Error("gpt-tokenizer internals changed: cannot patch U+FEFF token lookup");
  }
  const bomTokens = new Map<string, number>();
  ranks.forEach((token, rank) => {
    const key = typeof token === "string" ? "" : token.join(",");
    if (key.startsWith(BOM_BYTES)) bomTokens.set(key, rank);
  });
  core.getBpeRankFromBytes = (key) => (isBom(key) ? bomTokens.get(key.join(",")) : byText(key));
}

const counter: TokenCounter = {
  encoding: ENCODING,
  count: (text) => (text.length === 0 ? 0 : built().encoder.countTokens(text, PLAIN_TEXT)),
  encode: (text) => (text.length === 0 ? [] : built().encoder.encode(text, PLAIN_TEXT)),
  decode: decodeTokens,
};

// ignoreBOM: a U+FEFF token is text to give back, not a byte-order mark to drop.
const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * Decodes straight from the rank table. gpt-tokenizer 4.0.0's `decode` shares one streaming
 * TextDecoder, so a slice that ends inside a character loses it and leaks its bytes into the next
 * call; here every call stands alone and a cut character decodes to U+FFFD.
 */
function decodeTokens(tokens: number[]): string {
  if (tokens.length === 0) return "";
  const { ranks } = built();
  let text = "";
  let bytes: number[] = [];
  for (const id of tokens) {
    const piece = ranks[id];
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
 * built on the first non-empty `count`/`encode`/`decode` (about 0.3 s of CPU in Node), not here.
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
