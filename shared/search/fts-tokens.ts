// Tokens as SQLite FTS5's `porter unicode61` tokenizer makes them (the INDEX object's chunks_fts):
// runs of letters, digits and private-use characters, case-folded, diacritics removed, then Porter
// stemmed. Lets code outside SQLite count term frequencies and lengths that agree with FTS5.
import { ftsQuery } from "../rag/fts-query.js";
import { porterStem } from "./porter-stem.js";

const TOKEN_RE = /[\p{L}\p{N}\p{Co}]+/gu;
const MARKS_RE = /\p{M}+/gu;

/**
 * The FTS5 tokens of `text`, in order.
 *
 * @example
 * ftsTokens("Connecting to Réplicas"); // ["connect", "to", "replica"]
 */
export function ftsTokens(text: string): string[] {
  // Decomposing first turns "é" into "e" + a combining mark, which unicode61 drops.
  const folded = text.normalize("NFD").replace(MARKS_RE, "").toLowerCase();
  const out: string[] = [];
  for (const match of folded.matchAll(TOKEN_RE)) out.push(stemOf(match[0]));
  return out;
}

/** Stems of words seen lately. A search re-tokenizes every candidate chunk to count its query
 * terms, and a corpus repeats its vocabulary: stemming was most of that work. Bounded; a flood of
 * distinct words starts it over. */
const stems = new Map<string, string>();
const MAX_STEMS = 20_000;

function stemOf(word: string): string {
  // Words shorter than 3 characters are their own stem (see porterStem).
  if (word.length < 3) return word;
  let stem = stems.get(word);
  if (stem === undefined) {
    stem = porterStem(word);
    if (stems.size >= MAX_STEMS) stems.clear();
    stems.set(word, stem);
  }
  return stem;
}

/**
 * The query's phrases as FTS5 sees them: the terms {@link ftsQuery} puts in the MATCH
 * expression, each run through the tokenizer. ftsQuery's words are letter/digit runs, so each
 * phrase is one token; repeats stay, since FTS5 scores every phrase of an OR on its own.
 *
 * @example
 * queryTerms("How do I connect to replicas?"); // ["connect", "replica"]
 */
export function queryTerms(text: string): string[] {
  const match = ftsQuery(text);
  if (match === null) return [];
  const out: string[] = [];
  for (const m of match.matchAll(/"((?:[^"]|"")*)"/g)) {
    const [token] = ftsTokens((m[1] ?? "").replaceAll('""', '"'));
    if (token !== undefined) out.push(token);
  }
  return out;
}
