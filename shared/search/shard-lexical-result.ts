// Turns one shard's FTS5 candidates into what the lexical merge needs: per candidate, the
// column-weighted frequency of each query term and the row length, counted with the same
// tokenizer FTS5 used, plus the shard's statistics. The shard already reads its candidates'
// text and title to answer, so this costs no extra SQL beyond one fts5vocab lookup.
import { ftsTokens } from "./fts-tokens.js";
import { COLUMN_WEIGHTS } from "./lexical-index.js";
import type { LexicalShardResult } from "./merge-shards.js";

/** A candidate row from `chunks_fts MATCH ... ORDER BY bm25(...)`, with its global id. */
export interface FtsCandidate {
  id: string;
  text: string;
  title: string;
}

/** The shard's collection statistics (see parseFts5Averages and fts5vocab). */
export interface ShardLexicalStats {
  rows: number;
  /** Tokens over all rows and both columns. */
  tokens: number;
  /** Rows containing each term: `SELECT term, doc FROM chunks_vocab WHERE term IN (...)` on an
   * `fts5vocab(chunks_fts, row)` table; absent terms count 0. */
  df: ReadonlyMap<string, number>;
}

/**
 * The shard's answer for `terms` (from queryTerms), candidates kept in the order given. `scope`
 * (the shard's own object, e.g. its search memory) is whose remembered tokens are used: one
 * namespace's searches never make another's faster.
 *
 * @example
 * shardLexicalResult(["replic"], [{ id: "doc#0", text: "Replication", title: "HA" }], stats, memory);
 */
export function shardLexicalResult(
  terms: readonly string[],
  candidates: readonly FtsCandidate[],
  stats: ShardLexicalStats,
  scope: object,
): LexicalShardResult {
  const memo = memoOf(scope);
  const hits = candidates.map((c) => {
    const text = tokensOf(c.text, memo);
    const title = tokensOf(c.title, memo);
    const freq = terms.map(
      (t) => count(text, t) * COLUMN_WEIGHTS.text + count(title, t) * COLUMN_WEIGHTS.title,
    );
    return { id: c.id, length: text.length + title.length, freq };
  });
  return {
    rows: stats.rows,
    tokens: stats.tokens,
    df: terms.map((t) => stats.df.get(t) ?? 0),
    hits,
  };
}

/**
 * The FTS tokens of texts searched lately, per scope. Every search tokenizes each of its lexical
 * candidates (50 or more) again, and the chunks a namespace's questions find recur: a text's
 * tokens are a function of the text alone, so they are kept by it. Kept apart by scope (one INDEX
 * object), so how fast a text counts tells no namespace what another searched; weakly, so a
 * scope's tokens go with its object. One bound over all scopes, in characters kept: past it,
 * every scope starts over (the characters of scopes already gone still count until then).
 */
let memos = new WeakMap<object, Map<string, readonly string[]>>();
const MAX_MEMO_CHARS = 2_000_000;
let memoChars = 0;

type TokenMemo = { scope: object; texts: Map<string, readonly string[]> };

function memoOf(scope: object): TokenMemo {
  let texts = memos.get(scope);
  if (!texts) {
    texts = new Map();
    memos.set(scope, texts);
  }
  return { scope, texts };
}

function tokensOf(text: string, memo: TokenMemo): readonly string[] {
  let tokens = memo.texts.get(text);
  if (tokens === undefined) {
    tokens = ftsTokens(text);
    if (memoChars + text.length > MAX_MEMO_CHARS) {
      memos = new WeakMap();
      memoChars = 0;
      memo.texts = new Map();
      memos.set(memo.scope, memo.texts);
    }
    memo.texts.set(text, tokens);
    memoChars += text.length;
  }
  return tokens;
}

function count(tokens: readonly string[], term: string): number {
  let n = 0;
  for (const t of tokens) if (t === term) n += 1;
  return n;
}
