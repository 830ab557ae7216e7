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
  for (const match of folded.matchAll(TOKEN_RE)) out.push(porterStem(match[0]));
  return out;
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
