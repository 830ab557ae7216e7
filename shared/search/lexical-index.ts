// An in-memory full-text index that answers like one shard's FTS5 table (`text`, `title` columns
// weighted 1.0 and 0.5, porter unicode61 tokens, FTS5's BM25): the reference a sharded lexical
// merge is checked against, and the lexical side of in-process benchmarks. The INDEX object uses
// FTS5 itself; this is the same arithmetic where no SQLite is at hand.
import { bm25Score } from "./bm25.js";
import { ftsTokens } from "./fts-tokens.js";
import type { LexicalShardResult } from "./merge-shards.js";

/** The columns of one row, as in the INDEX object's chunks_fts. */
export interface LexicalRow {
  text: string;
  title: string;
}

/** Column weights passed to bm25() by the INDEX object: text 1.0, title 0.5. */
export const COLUMN_WEIGHTS = { text: 1, title: 0.5 } as const;

interface Posting {
  text: number;
  title: number;
}

/**
 * Rows by id with per-term postings; upsert replaces a row, delete removes it.
 *
 * @example
 * const index = new LexicalIndex();
 * index.upsert("doc#0", { text: "Replication slots", title: "High availability" });
 * index.search(["replic"], 10).hits; // [{ id: "doc#0", length: 4, freq: [1.5] }]
 */
export class LexicalIndex {
  private readonly postings = new Map<string, Map<string, Posting>>();
  private readonly rows = new Map<string, { terms: string[]; length: number }>();
  private tokens = 0;

  /** Rows held. */
  get size(): number {
    return this.rows.size;
  }

  /** Adds or replaces a row. */
  upsert(id: string, row: LexicalRow): void {
    this.delete(id);
    const text = ftsTokens(row.text);
    const title = ftsTokens(row.title);
    for (const [tokens, column] of [
      [text, "text"],
      [title, "title"],
    ] as const) {
      for (const term of tokens) {
        let list = this.postings.get(term);
        if (!list) {
          list = new Map();
          this.postings.set(term, list);
        }
        const posting = list.get(id) ?? { text: 0, title: 0 };
        posting[column] += 1;
        list.set(id, posting);
      }
    }
    const length = text.length + title.length;
    this.rows.set(id, { terms: [...new Set([...text, ...title])], length });
    this.tokens += length;
  }

  /** Removes a row; false when it was not held. */
  delete(id: string): boolean {
    const row = this.rows.get(id);
    if (!row) return false;
    for (const term of row.terms) {
      const list = this.postings.get(term);
      list?.delete(id);
      if (list?.size === 0) this.postings.delete(term);
    }
    this.rows.delete(id);
    this.tokens -= row.length;
    return true;
  }

  /**
   * This index's answer for query phrases (see queryTerms): its `n` best rows by its own BM25,
   * with their raw statistics, and its collection statistics, ready for mergeLexical.
   * Rows `allowed` rejects are skipped.
   */
  search(
    terms: readonly string[],
    n: number,
    allowed?: (id: string) => boolean,
  ): LexicalShardResult {
    const df = terms.map((t) => this.postings.get(t)?.size ?? 0);
    const stats = { rows: this.rows.size, tokens: this.tokens, df };
    const matched = new Set<string>();
    for (const term of terms)
      for (const id of this.postings.get(term)?.keys() ?? []) matched.add(id);
    const hits = [...matched]
      .filter((id) => !allowed || allowed(id))
      .map((id) => {
        const freq = terms.map((t) => {
          const p = this.postings.get(t)?.get(id);
          return p ? p.text * COLUMN_WEIGHTS.text + p.title * COLUMN_WEIGHTS.title : 0;
        });
        const length = this.rows.get(id)?.length ?? 0;
        return { id, length, freq, score: bm25Score(freq, length, stats) };
      })
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, Math.max(0, Math.floor(n)))
      .map(({ id, length, freq }) => ({ id, length, freq }));
    return { ...stats, hits };
  }
}
