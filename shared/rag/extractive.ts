// The offline answerer: picks the source sentences that best match the question and cites them.
// It is the last link of the fallback chain, so it must always answer, deterministically.
import { ENGLISH_STOP_WORDS } from "../llm/hash-embedding.js";

/** The answer when there is nothing to extract from. */
export const NO_SOURCES_ANSWER =
  "No indexed documents matched this question, so there is nothing to answer from yet.";

/** A source to answer from; its 1-based position in the list is its citation number. */
export interface ExtractiveSource {
  title: string;
  text: string;
}

/** Options for {@link extractiveAnswer}. */
export interface ExtractiveOptions {
  /** Most sentences in the answer. Default 3. */
  maxSentences?: number;
  /** Most characters in the answer, citations included. Default 1200. */
  maxChars?: number;
}

/** An extracted answer and the 1-based source numbers it cites, ascending. */
export interface ExtractiveAnswer {
  answer: string;
  citations: number[];
}

const DEFAULT_MAX_CHARS = 1200;
const LEAD_SENTENCES = 2;
const MIN_RELATIVE_SCORE = 0.3;
const NEAR_DUPLICATE_JACCARD = 0.8;

interface Sentence {
  source: number;
  position: number;
  text: string;
  heading: boolean;
  terms: string[];
  termSet: Set<string>;
}

interface Segment {
  text: string;
  heading: boolean;
  /** False for code lines and table rows, which are kept whole. */
  prose: boolean;
}

/**
 * Answers `question` with the best-matching sentences of `sources`, each followed by `[n]`.
 * Scoring: IDF-weighted overlap of stemmed content words, a bonus for matching word pairs,
 * penalties for very short/long sentences and headings, a slight preference for earlier sources.
 * With no overlap at all it returns the lead sentence(s) of the top source, cited; with no
 * sources (or only empty ones) it returns {@link NO_SOURCES_ANSWER}.
 *
 * @example
 * extractiveAnswer("How many requests per minute?", [{ title: "Limits", text: "Keys get 60 requests per minute." }]);
 * // { answer: "Keys get 60 requests per minute. [1]", citations: [1] }
 */
export function extractiveAnswer(
  question: string,
  sources: ReadonlyArray<ExtractiveSource>,
  opts: ExtractiveOptions = {},
): ExtractiveAnswer {
  const maxSentences = Math.max(1, Math.floor(opts.maxSentences ?? 3));
  const maxChars = Math.max(8, Math.floor(opts.maxChars ?? DEFAULT_MAX_CHARS));
  const sentences = sources.flatMap((source, index) =>
    splitSegments(source.text)
      .flatMap((segment) =>
        (segment.prose ? splitSentences(segment.text) : [segment.text]).map((text) => ({
          text,
          heading: segment.heading,
        })),
      )
      .map((s, position): Sentence => {
        const terms = contentTerms(s.text);
        return { ...s, source: index, position, terms, termSet: new Set(terms) };
      }),
  );
  if (sentences.length === 0) return { answer: NO_SOURCES_ANSWER, citations: [] };

  const ranked = rankSentences(question, sentences, sources);
  const picked = ranked.length > 0 ? ranked : leadSentences(sentences);
  return compose(picked, maxSentences, maxChars);
}

function rankSentences(
  question: string,
  sentences: Sentence[],
  sources: ReadonlyArray<ExtractiveSource>,
): Sentence[] {
  const qTerms = contentTerms(question);
  const qSet = new Set(qTerms);
  if (qSet.size === 0) return [];
  const qPairs = new Set(pairs(qTerms));

  const df = new Map<string, number>();
  for (const s of sentences) {
    for (const t of s.termSet) if (qSet.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const n = sentences.length;
  const idf = (t: string): number => {
    const d = df.get(t) ?? 0;
    return Math.log(1 + (n - d + 0.5) / (d + 0.5));
  };
  const titleTerms = sources.map((s) => new Set(contentTerms(s.title)));

  const scored: Array<{ sentence: Sentence; score: number }> = [];
  for (const s of sentences) {
    let score = 0;
    for (const t of qSet) if (s.termSet.has(t)) score += idf(t);
    if (score === 0) continue;
    for (const pair of new Set(pairs(s.terms))) {
      if (!qPairs.has(pair)) continue;
      const [a = "", b = ""] = pair.split(" ");
      score += 0.5 * ((idf(a) + idf(b)) / 2);
    }
    const words = s.text.split(/\s+/).length;
    score *= words < 4 ? 0.6 : words > 60 ? 0.7 : words > 35 ? 0.85 : 1;
    if (s.heading) score *= 0.5;
    let titleHits = 0;
    for (const t of qSet) if (titleTerms[s.source]?.has(t)) titleHits++;
    score *= 1 + 0.1 * Math.min(titleHits, 3);
    score *= 1 - 0.04 * Math.min(s.source, 5);
    score *= 1 - 0.01 * Math.min(s.position, 10);
    scored.push({ sentence: s, score });
  }
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      a.sentence.source - b.sentence.source ||
      a.sentence.position - b.sentence.position,
  );
  const best = scored[0]?.score ?? 0;
  return scored.filter((x) => x.score >= best * MIN_RELATIVE_SCORE).map((x) => x.sentence);
}

/** The opening sentences of the first source that has any, preferring non-headings. */
function leadSentences(sentences: Sentence[]): Sentence[] {
  const first = sentences[0]?.source ?? 0;
  const own = sentences.filter((s) => s.source === first);
  const prose = own.filter((s) => !s.heading);
  return (prose.length > 0 ? prose : own).slice(0, LEAD_SENTENCES);
}

/** Takes candidates in priority order within the limits, then lays them out by source/position. */
function compose(candidates: Sentence[], maxSentences: number, maxChars: number): ExtractiveAnswer {
  const chosen: Array<{ sentence: Sentence; text: string }> = [];
  let length = 0;
  for (const s of candidates) {
    if (chosen.length >= maxSentences) break;
    if (chosen.some((c) => nearDuplicate(c.sentence, s))) continue;
    const cite = ` [${s.source + 1}]`;
    const separator = chosen.length > 0 ? 1 : 0;
    if (length + separator + s.text.length + cite.length <= maxChars) {
      chosen.push({ sentence: s, text: s.text + cite });
      length += separator + s.text.length + cite.length;
    } else if (chosen.length === 0) {
      const text = truncate(s.text, maxChars - cite.length) + cite;
      chosen.push({ sentence: s, text });
      length += text.length;
    }
  }
  chosen.sort(
    (a, b) => a.sentence.source - b.sentence.source || a.sentence.position - b.sentence.position,
  );
  const citations = [...new Set(chosen.map((c) => c.sentence.source + 1))].sort((a, b) => a - b);
  return { answer: chosen.map((c) => c.text).join(" "), citations };
}

function nearDuplicate(a: Sentence, b: Sentence): boolean {
  if (normalizeForCompare(a.text) === normalizeForCompare(b.text)) return true;
  if (a.termSet.size === 0 || b.termSet.size === 0) return false;
  let shared = 0;
  for (const t of a.termSet) if (b.termSet.has(t)) shared++;
  return shared / (a.termSet.size + b.termSet.size - shared) >= NEAR_DUPLICATE_JACCARD;
}

function normalizeForCompare(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = Math.max(0, max - 1);
  const cut = text.lastIndexOf(" ", room);
  return `${text.slice(0, cut > room / 2 ? cut : room).trimEnd()}…`;
}

// ---- Splitting -----------------------------------------------------------------------------

const HEADING_RE = /^#{1,6}\s+(.*?)\s*#*$/;
const LIST_ITEM_RE = /^(?:[-*+•]|\d{1,3}[.)])\s+(.*)$/;
const RULE_RE = /^([-*_])(?:\s*\1){2,}$/;
const TABLE_SEPARATOR_RE = /^\|?[\s:|-]+\|?$/;

/** Markdown-aware blocks: paragraphs, list items, headings, code lines, table rows. */
function splitSegments(text: string): Segment[] {
  const segments: Segment[] = [];
  let paragraph: string[] = [];
  let inFence = false;
  const flush = (): void => {
    const joined = cleanInline(paragraph.join(" "));
    if (/[\p{L}\p{N}]/u.test(joined)) segments.push({ text: joined, heading: false, prose: true });
    paragraph = [];
  };
  for (const raw of text.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.trim().replace(/^(?:>\s?)+/, "");
    if (/^(?:```|~~~)/.test(line)) {
      flush();
      inFence = !inFence;
      continue;
    }
    if (inFence || (line.startsWith("|") && !TABLE_SEPARATOR_RE.test(line))) {
      flush();
      const whole = inFence
        ? line
        : cleanInline(line.replace(/^\||\|$/g, "").replace(/\s*\|\s*/g, "; "));
      if (/[\p{L}\p{N}]/u.test(whole)) segments.push({ text: whole, heading: false, prose: false });
      continue;
    }
    if (line === "" || RULE_RE.test(line) || TABLE_SEPARATOR_RE.test(line)) {
      flush();
      continue;
    }
    const heading = HEADING_RE.exec(line);
    if (heading) {
      flush();
      const title = cleanInline(heading[1] ?? "");
      if (title) segments.push({ text: title, heading: true, prose: false });
      continue;
    }
    const item = LIST_ITEM_RE.exec(line);
    if (item) {
      flush();
      paragraph.push(item[1] ?? "");
      continue;
    }
    paragraph.push(line);
  }
  flush();
  return segments;
}

/** Drops Markdown emphasis and link targets, collapses whitespace. */
function cleanInline(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/\s+/g, " ")
    .trim();
}

const ABBREVIATIONS = new Set(
  "e.g. i.e. etc. vs. approx. cf. fig. no. nos. mr. mrs. ms. dr. prof. st. jr. sr. inc. ltd. co. corp. dept. est. min. max. incl. resp. al. ca. op. vol. p. pp.".split(
    " ",
  ),
);
const BOUNDARY_RE = /[.!?…]+["'”’)\]]*\s+|[。！？]+["'”’)\]」』]*\s*/g;

/** Sentence split that keeps abbreviations, initials and decimals (no space after the dot). */
function splitSentences(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const match of text.matchAll(BOUNDARY_RE)) {
    const end = match.index + match[0].length;
    const before = text.slice(start, match.index + 1);
    const lastToken = (/(\S+)$/.exec(before)?.[1] ?? "").toLowerCase();
    const next = text.charAt(end);
    const western = !/[。！？]/.test(match[0]);
    if (western && match[0].startsWith(".") && isAbbreviation(lastToken)) continue;
    if (western && /\p{Ll}/u.test(next)) continue;
    const sentence = text.slice(start, end).trim();
    if (sentence) out.push(sentence);
    start = end;
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out.filter((s) => /[\p{L}\p{N}]/u.test(s));
}

function isAbbreviation(token: string): boolean {
  const bare = token.replace(/^[("'“‘[]+/, "");
  return ABBREVIATIONS.has(bare) || /^(?:\p{L}\.)+$/u.test(bare);
}

// ---- Terms ---------------------------------------------------------------------------------

const WORD_RE = /[\p{L}\p{M}\p{N}]+/gu;
const CJK_RE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+/gu;

/** Stemmed, stop-word-free terms in order; CJK runs become character bigrams. */
function contentTerms(text: string): string[] {
  const terms: string[] = [];
  for (const word of text.normalize("NFKC").toLowerCase().match(WORD_RE) ?? []) {
    const latin = word.replace(CJK_RE, " ").trim();
    for (const part of latin ? latin.split(" ") : []) {
      if (!ENGLISH_STOP_WORDS.has(part)) terms.push(stem(part));
    }
    for (const run of word.match(CJK_RE) ?? []) {
      const chars = Array.from(run);
      if (chars.length === 1) terms.push(run);
      for (let i = 0; i + 1 < chars.length; i++) terms.push(`${chars[i]}${chars[i + 1]}`);
    }
  }
  return terms;
}

function pairs(terms: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < terms.length; i++) out.push(`${terms[i]} ${terms[i + 1]}`);
  return out;
}

/** A light English stemmer: plural -s/-ies, -ing, -ed, final -e. Consistency beats accuracy. */
function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("ing") && w.length > 5) w = undouble(w.slice(0, -3));
  else if (w.endsWith("ed") && w.length > 4) w = undouble(w.slice(0, -2));
  else if (w.endsWith("s") && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 3 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

function undouble(w: string): string {
  return /([b-df-hj-kmnp-rtv-y])\1$/.test(w) ? w.slice(0, -1) : w;
}
