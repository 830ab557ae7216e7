// The offline answerer: picks the source sentences that best match the question and cites them.
// It is the last link of the fallback chain, so it must always answer, deterministically.
import { splitSegments, splitSentences } from "./sentences.js";
import { contentTerms, pairs } from "./terms.js";

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
