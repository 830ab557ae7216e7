// Packs retrieved chunks into a prompt's context budget with exact token counts, and renders them
// as fenced quotations (shared/security/quote-untrusted). The budget is a hard cap. BPE counts don't add across concatenation, so by default the rendered
// block (formatContext) is re-counted at the end and trimmed if a boundary merge pushed it over.
import { quoteSource, SOURCE_CLOSE, sourceOpen } from "../security/quote-untrusted.js";
import type { TokenCounter } from "../tokens/count.js";
import type { RetrievedChunk } from "./types.js";

/** A chunk as placed in the context; `truncated` is true when only its head fit. */
export type PackedChunk = RetrievedChunk & { truncated: boolean };

/** What `packContext` needs. */
export interface PackOptions {
  /** Hard cap on the context's tokens, separators and headers included. */
  maxTokens: number;
  counter: TokenCounter;
  /** A chunk that doesn't fit is cut only if at least this much room remains; default 100. */
  minTruncateTokens?: number;
  /**
   * A fixed per-chunk cost for a caller's own header format. By default each chunk is charged
   * the exact tokens of its `formatContext` header and separator, and the result is verified.
   */
  perChunkOverheadTokens?: number;
}

/** The packed chunks (best first), the tokens charged, and how many chunks were left out. */
export interface PackResult {
  packed: PackedChunk[];
  /**
   * Never above `maxTokens`. By default the exact count of `formatContext(packed)`; with
   * `perChunkOverheadTokens`, the sum of the packed chunks' tokens and their overheads.
   */
  usedTokens: number;
  dropped: number;
}

type SourceFields = Pick<RetrievedChunk, "title" | "source" | "docId" | "text">;

const SEPARATOR = "\n\n";
const DEFAULT_MIN_TRUNCATE_TOKENS = 100;
// A sentence end: terminal punctuation (plus closing quotes/brackets) before whitespace, a CJK
// full stop, or a blank line.
const SENTENCE_END = /[.!?…]["'”’)\]]*(?=\s)|[。！？]["'”’」』）]*|\n[ \t]*\n/g;

/** The attributes of the n-th (1-based) source's fence: its number, title and origin. */
function sourceAttributes(n: number, chunk: Omit<SourceFields, "text">): Record<string, string> {
  const title = oneLine(chunk.title) || oneLine(chunk.docId);
  const source = oneLine(chunk.source);
  return { id: String(n), title, origin: source !== title ? source : "" };
}

/** The `<source id="n" title=".." origin="..">` line that opens the n-th (1-based) source. */
export function sourceHeader(n: number, chunk: Omit<SourceFields, "text">): string {
  return sourceOpen(sourceAttributes(n, chunk));
}

/**
 * Renders the numbered sources block used in prompts: each chunk fenced as a quotation it cannot
 * close; `id="n"` matches the packed order, so a model's citation `[2]` is `packed[1]`.
 *
 * @example
 * formatContext(packed); // '<source id="1" title="KV" origin="docs/kv.md">\nKV is...\n</source>'
 */
export function formatContext(packed: readonly SourceFields[]): string {
  return packed
    .map((chunk, i) => quoteSource(sourceAttributes(i + 1, chunk), chunk.text))
    .join(SEPARATOR);
}

/**
 * Greedily packs `chunks` (sorted best first) into `maxTokens`. A chunk that doesn't fit is
 * truncated at a token boundary (backing off to its last sentence end when that keeps at least
 * `minTruncateTokens`) if at least `minTruncateTokens` of room remain; otherwise it is skipped
 * and later, smaller chunks may still fit. Each packed chunk's `tokens` is its exact count.
 */
export function packContext(chunks: readonly RetrievedChunk[], opts: PackOptions): PackResult {
  const { counter } = opts;
  const maxTokens = Math.floor(opts.maxTokens);
  const minTruncate = opts.minTruncateTokens ?? DEFAULT_MIN_TRUNCATE_TOKENS;
  const fixedOverhead = opts.perChunkOverheadTokens;
  if (!Number.isFinite(maxTokens) || maxTokens < 0) throw new RangeError("maxTokens must be >= 0");
  if (!(minTruncate >= 1)) throw new RangeError("minTruncateTokens must be >= 1");
  if (fixedOverhead !== undefined && !(fixedOverhead >= 0)) {
    throw new RangeError("perChunkOverheadTokens must be >= 0");
  }
  const separatorTokens = counter.count(SEPARATOR);
  const closeTokens = counter.count(SOURCE_CLOSE);
  const packed: PackedChunk[] = [];
  let used = 0;
  let dropped = 0;

  for (const chunk of chunks) {
    const overhead =
      fixedOverhead ??
      counter.count(sourceHeader(packed.length + 1, chunk)) +
        closeTokens +
        (packed.length > 0 ? separatorTokens : 0);
    const room = maxTokens - used - overhead;
    const tokens = room > 0 ? counter.count(chunk.text) : Infinity;
    if (chunk.text.trim() === "" || room <= 0) {
      dropped += 1;
    } else if (tokens <= room) {
      packed.push({ ...chunk, tokens, truncated: false });
      used += overhead + tokens;
    } else {
      const head =
        room >= minTruncate ? truncateToTokens(chunk.text, room, minTruncate, counter) : null;
      if (head === null || head.text.trim() === "") {
        dropped += 1;
        continue;
      }
      packed.push({ ...chunk, text: head.text, tokens: head.tokens, truncated: true });
      used += overhead + head.tokens;
    }
  }

  if (fixedOverhead !== undefined) return { packed, usedTokens: used, dropped };
  return verifyRendered(packed, dropped, maxTokens, minTruncate, counter);
}

/** Re-counts the rendered block and trims its tail until it fits (rare: a boundary merge). */
function verifyRendered(
  packed: PackedChunk[],
  dropped: number,
  maxTokens: number,
  minTruncate: number,
  counter: TokenCounter,
): PackResult {
  let exact = counter.count(formatContext(packed));
  while (exact > maxTokens) {
    const last = packed.pop();
    if (last === undefined) break;
    const keep = last.tokens - (exact - maxTokens) - 1;
    const head =
      keep >= minTruncate ? truncateToTokens(last.text, keep, minTruncate, counter) : null;
    if (head === null || head.text.trim() === "") dropped += 1;
    else packed.push({ ...last, text: head.text, tokens: head.tokens, truncated: true });
    exact = counter.count(formatContext(packed));
  }
  return { packed, usedTokens: exact, dropped };
}

/**
 * The longest head of `text` within `limit` tokens, cut at a token boundary without splitting a
 * character; backs off to the last sentence end when that still keeps `minKeep` tokens.
 */
export function truncateToTokens(
  text: string,
  limit: number,
  minKeep: number,
  counter: TokenCounter,
): { text: string; tokens: number } {
  const ids = counter.encode(text);
  let cut = Math.min(limit, ids.length);
  let head = decodeWhole(ids.slice(0, cut), counter);
  let tokens = counter.count(head);
  // Re-encoding a decoded prefix can (rarely) take more tokens than the prefix had.
  while (tokens > limit && cut > 0) {
    cut -= tokens - limit;
    head = decodeWhole(ids.slice(0, Math.max(cut, 0)), counter);
    tokens = counter.count(head);
  }
  const end = lastSentenceEnd(head);
  if (end > 0 && end < head.length) {
    const sentences = head.slice(0, end).trimEnd();
    const sentenceTokens = counter.count(sentences);
    if (sentenceTokens >= minKeep) return { text: sentences, tokens: sentenceTokens };
  }
  return { text: head, tokens };
}

/** Decodes tokens, dropping a trailing partial character (decoded as U+FFFD). */
function decodeWhole(ids: number[], counter: TokenCounter): string {
  return counter.decode(ids).replace(/\uFFFD+$/u, "");
}

function lastSentenceEnd(text: string): number {
  let end = -1;
  for (const match of text.matchAll(SENTENCE_END)) end = match.index + match[0].length;
  return end;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
