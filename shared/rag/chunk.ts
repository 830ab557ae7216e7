// Token-aware chunking for ingestion: paragraphs, then sentences, then token boundaries.
// Unit sizes are summed so counting stays linear; each chunk is then counted exactly and re-split
// if over maxTokens. Runs over WINDOW_CHARS are cut first, since BPE is quadratic in them.
import type { TokenCounter } from "../tokens/count.js";

/** Chunking knobs; token counts use `counter`. */
export interface ChunkOptions {
  counter: TokenCounter;
  /** Soft size a chunk fills up to; default 300. */
  targetTokens?: number;
  /** Whole trailing sentences repeated at the start of the next chunk, up to this; default 50. */
  overlapTokens?: number;
  /** Hard cap on any chunk; default max(400, targetTokens). */
  maxTokens?: number;
}

/** One chunk of a document, with its exact token count. */
export interface TextChunk {
  /** 0-based position in the document. */
  ordinal: number;
  text: string;
  tokens: number;
}

/** A paragraph, line, sentence or piece; `sep` is the whitespace before it in the source. */
interface Unit {
  text: string;
  sep: string;
  tokens: number;
  heading: boolean;
}

const WINDOW_CHARS = 2048;
const HEADING = /^ {0,3}#{1,6}(?:\s|$)/;
const FENCE = /^\s*(?:```|~~~)/;
const SENTENCE_BREAK = /[.!?…]+["'”’)\]]*([ \t]+)|[。！？]+["'”’」』）)\]]*([ \t]*)/g;

/**
 * Splits a document into chunks of about `targetTokens` (never above `maxTokens`, never empty),
 * packing paragraphs, then sentences, then token slices of a monster sentence. Consecutive chunks
 * share about `overlapTokens` of whole trailing sentences, except across a new section; a
 * Markdown heading always stays with the text after it. Deterministic; `\r\n` becomes `\n`.
 *
 * @example
 * chunkText(markdown, { counter: createTokenCounter() }); // [{ ordinal: 0, text, tokens }, ...]
 */
export function chunkText(text: string, opts: ChunkOptions): TextChunk[] {
  const { counter } = opts;
  const target = opts.targetTokens ?? 300;
  const max = opts.maxTokens ?? Math.max(400, target);
  const overlap = opts.overlapTokens ?? Math.min(50, Math.floor(target / 4));
  if (!(Number.isInteger(target) && target >= 1 && Number.isInteger(max) && max >= target)) {
    throw new RangeError("need integers 1 <= targetTokens <= maxTokens");
  }
  if (!(Number.isInteger(overlap) && overlap >= 0 && overlap < target)) {
    throw new RangeError("need an integer 0 <= overlapTokens < targetTokens");
  }

  const units = toUnits(text, counter, max, target);
  const out: TextChunk[] = [];
  const emit = (group: Unit[]): void => {
    const body = joinUnits(group);
    if (body.trim() === "") return;
    const tokens = counter.count(body);
    const parts = tokens <= max ? [{ text: body, tokens }] : splitByTokens(body, target, counter);
    for (const part of parts) out.push({ ordinal: out.length, ...part });
  };

  let cur: Unit[] = [];
  let fresh = 0; // how many of cur's trailing units no chunk has emitted yet
  for (const unit of units) {
    const cost = sepCost(unit.sep) + unit.tokens;
    if (fresh > 0 && unit.heading && sizeOf(cur.slice(-fresh)) >= target / 2) {
      emit(cur);
      cur = [];
      fresh = 0;
    } else if (fresh > 0 && sizeOf(cur) + cost > target) {
      const cut = cutPoint(cur, fresh, cost, target, max);
      const kept = cur.slice(0, cut);
      const carried = cur.slice(cut);
      emit(kept);
      const newSection = (carried[0] ?? unit).heading;
      const seed = newSection ? [] : overlapTail(kept, overlap);
      cur = [...seed, ...carried];
      fresh = carried.length;
      // Overlap yields to new content: drop seeded sentences until the next unit fits.
      while (cur.length > fresh && sizeOf(cur) + cost > target) cur = cur.slice(1);
    }
    cur.push(unit);
    fresh += 1;
  }
  if (fresh > 0) emit(cur);
  return out;
}

/**
 * Where to end the chunk in `cur` when the next unit (costing `next`) doesn't fit: at the last
 * paragraph start if the chunk stays at least half full, then before any trailing headings, so
 * the carried units go to the next chunk with it. Carries nothing that would overfill that chunk.
 */
function cutPoint(cur: Unit[], fresh: number, next: number, target: number, max: number): number {
  const firstFresh = cur.length - fresh;
  let cut = cur.length;
  for (let i = cur.length - 1; i > firstFresh; i--) {
    if (cur[i]?.sep.includes("\n\n") !== true) continue;
    if (sizeOf(cur.slice(0, i)) >= target / 2 && sizeOf(cur.slice(i)) + 1 + next <= target) cut = i;
    break;
  }
  while (cut - 1 > firstFresh && cur[cut - 1]?.heading === true) {
    if (sizeOf(cur.slice(cut - 1)) + 1 + next > max) break;
    cut -= 1;
  }
  return cut;
}

/** Splits text into lines and sentences; `sep` records paragraph breaks (not inside fences). */
function toUnits(text: string, counter: TokenCounter, max: number, target: number): Unit[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const units: Unit[] = [];
  let sep = "";
  let inFence = false;
  const push = (piece: string, pieceSep: string, heading: boolean): void => {
    for (const unit of sized(piece, pieceSep, heading, counter, max, target)) units.push(unit);
  };
  for (const raw of lines) {
    const line = raw.trimEnd();
    const fence = FENCE.test(line);
    if (line === "") {
      if (units.length > 0) sep = "\n\n";
    } else if (inFence || fence) {
      push(line, sep, false);
      sep = "\n";
    } else if (HEADING.test(line)) {
      push(line, sep, true);
      sep = "\n";
    } else {
      for (const sentence of splitSentences(line, sep)) push(sentence.text, sentence.sep, false);
      sep = "\n";
    }
    if (fence) inFence = !inFence;
  }
  return units;
}

function splitSentences(line: string, firstSep: string): Array<{ text: string; sep: string }> {
  const out: Array<{ text: string; sep: string }> = [];
  let start = 0;
  let sep = firstSep;
  for (const match of line.matchAll(SENTENCE_BREAK)) {
    const space = match[1] ?? match[2] ?? "";
    const end = match.index + match[0].length - space.length;
    if (end >= line.length) break;
    out.push({ text: line.slice(start, end), sep });
    start = end + space.length;
    sep = space;
  }
  if (start < line.length) out.push({ text: line.slice(start), sep });
  return out;
}

/** Counts a unit, first cutting long runs into windows and over-`max` units into token slices. */
function sized(
  text: string,
  sep: string,
  heading: boolean,
  counter: TokenCounter,
  max: number,
  target: number,
): Unit[] {
  const out: Unit[] = [];
  for (const window of charWindows(text, sep)) {
    const tokens = counter.count(window.text);
    if (tokens <= max) {
      out.push({ ...window, tokens, heading });
      continue;
    }
    splitByTokens(window.text, target, counter).forEach((piece, i) => {
      out.push({ text: piece.text, sep: i === 0 ? window.sep : "", tokens: piece.tokens, heading });
    });
  }
  return out;
}

/** Cuts text longer than WINDOW_CHARS at whitespace (else a code point boundary). */
function charWindows(text: string, sep: string): Array<{ text: string; sep: string }> {
  const out: Array<{ text: string; sep: string }> = [];
  let rest = text;
  let nextSep = sep;
  while (rest.length > WINDOW_CHARS) {
    const space = rest.lastIndexOf(" ", WINDOW_CHARS);
    let cut = space > WINDOW_CHARS / 2 ? space : WINDOW_CHARS;
    if (/[\uDC00-\uDFFF]/.test(rest.charAt(cut))) cut -= 1;
    out.push({ text: rest.slice(0, cut), sep: nextSep });
    nextSep = cut === space ? " " : "";
    rest = rest.slice(cut === space ? cut + 1 : cut);
  }
  if (rest !== "") out.push({ text: rest, sep: nextSep });
  return out;
}

/** Contiguous token slices of about `size` tokens, never splitting a character. */
function splitByTokens(
  text: string,
  size: number,
  counter: TokenCounter,
): Array<{ text: string; tokens: number }> {
  const ids = counter.encode(text);
  const out: Array<{ text: string; tokens: number }> = [];
  let start = 0;
  while (start < ids.length) {
    // Tokens can straddle characters (emoji, CJK): end where the decoded piece is whole, backing
    // up first and, if no boundary in the piece is whole, reaching forward.
    let end = Math.min(start + size, ids.length);
    while (end - 1 > start && endsMidChar(ids, start, end, counter)) end -= 1;
    if (endsMidChar(ids, start, end, counter)) {
      end = Math.min(start + size, ids.length);
      while (endsMidChar(ids, start, end, counter)) end += 1;
    }
    const piece = counter.decode(ids.slice(start, end));
    if (piece.trim() !== "") out.push({ text: piece, tokens: counter.count(piece) });
    start = end;
  }
  return out;
}

function endsMidChar(ids: number[], start: number, end: number, counter: TokenCounter): boolean {
  return end < ids.length && counter.decode(ids.slice(start, end)).endsWith("\uFFFD");
}

function overlapTail(units: Unit[], budget: number): Unit[] {
  let size = 0;
  let from = units.length;
  while (from > 1) {
    const unit = units[from - 1];
    if (unit === undefined || size + unit.tokens + sepCost(unit.sep) > budget) break;
    size += unit.tokens + sepCost(unit.sep);
    from -= 1;
  }
  return units.slice(from);
}

function joinUnits(units: Unit[]): string {
  return units
    .map((unit, i) => (i === 0 ? unit.text : unit.sep + unit.text))
    .join("")
    .trimEnd();
}

function sizeOf(units: Unit[]): number {
  return units.reduce((sum, unit, i) => sum + unit.tokens + (i === 0 ? 0 : sepCost(unit.sep)), 0);
}

/** A newline separator is usually a token of its own; a space merges into the next word. */
function sepCost(sep: string): number {
  return sep.includes("\n") ? 1 : 0;
}
