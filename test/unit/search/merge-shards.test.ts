import { describe, expect, it } from "vitest";
import { seeded } from "../../support/seeded-random.js";
import { hashEmbed } from "../../../shared/llm/hash-embedding.js";
import { BinaryVectorIndex } from "../../../shared/search/binary-vector-index.js";
import { bm25Idf, bm25Score, sumStats } from "../../../shared/search/bm25.js";
import { searchDense } from "../../../shared/search/dense-search.js";
import { queryTerms } from "../../../shared/search/fts-tokens.js";
import { LexicalIndex } from "../../../shared/search/lexical-index.js";
import {
  mergeDense,
  mergeLexical,
  mergeShardResults,
  type ShardSearchResult,
} from "../../../shared/search/merge-shards.js";
import { shardOf } from "../../../shared/search/shard-placement.js";

/** A fixed corpus: 240 documents of 2-4 chunks, words drawn Zipf-like from a 400-word vocabulary. */
function corpus(): Array<{ id: string; doc: string; title: string; text: string }> {
  const rand = seeded(11);
  const vocab = Array.from(
    { length: 400 },
    (_, i) => `w${i.toString(36)}x${(i * 7919).toString(36)}`,
  );
  const word = (): string => vocab[Math.floor(vocab.length * rand() ** 2.5)] ?? "w";
  const out: Array<{ id: string; doc: string; title: string; text: string }> = [];
  for (let d = 0; d < 240; d++) {
    const doc = `doc-${d}`;
    const title = `${word()} ${word()}`;
    const chunks = 2 + Math.floor(rand() * 3);
    for (let c = 0; c < chunks; c++) {
      const length = 20 + Math.floor(rand() * 120);
      out.push({ id: `${doc}#${c}`, doc, title, text: Array.from({ length }, word).join(" ") });
    }
  }
  return out;
}

function build(shards: number): Array<{ lexical: LexicalIndex; dense: BinaryVectorIndex }> {
  const out = Array.from({ length: shards }, () => ({
    lexical: new LexicalIndex(),
    dense: new BinaryVectorIndex({ dims: 384 }),
  }));
  corpus().forEach((c, i) => {
    const shard = out[shardOf(c.doc, shards)];
    shard?.lexical.upsert(c.id, c);
    shard?.dense.upsert(i, c.doc, hashEmbed(`${c.title}\n\n${c.text}`));
  });
  return out;
}

const CHUNKS = corpus();
const vectors = CHUNKS.map((c) => hashEmbed(`${c.title}\n\n${c.text}`));
const load = (ids: readonly number[]): Array<Float32Array | null> =>
  ids.map((id) => vectors[id] ?? null);

function ask(shards: ReturnType<typeof build>, q: string): ShardSearchResult[] {
  const terms = queryTerms(q);
  const vector = hashEmbed(q);
  return shards.map((s) => ({
    lexical: s.lexical.search(terms, 50),
    // Exact dense lists (re-rank everything): this pins the merge, not the quantisation.
    dense: searchDense(s.dense, vector, 50, load, { rerank: CHUNKS.length }).map((h) => ({
      id: CHUNKS[h.id]?.id ?? "",
      score: h.score,
    })),
  }));
}

/** Queries: three words of a chunk picked at random (seeded). */
const QUERIES = ((): string[] => {
  const rand = seeded(5);
  return Array.from({ length: 40 }, () => {
    const words = (CHUNKS[Math.floor(rand() * CHUNKS.length)]?.text ?? "").split(" ");
    return [0, 1, 2].map(() => words[Math.floor(rand() * words.length)] ?? "").join(" ");
  });
})();

describe("mergeShardResults", () => {
  const one = build(1);
  const four = build(4);

  it("spreads the fixed corpus over all four shards", () => {
    expect(four.map((s) => s.lexical.size).every((n) => n > 100)).toBe(true);
  });

  it("returns the same top chunks and documents from 4 shards as from 1", () => {
    for (const q of QUERIES) {
      const a = mergeShardResults(ask(one, q), { k: 10 });
      const b = mergeShardResults(ask(four, q), { k: 10 });
      expect([q, b.map((h) => h.id)]).toEqual([q, a.map((h) => h.id)]);
    }
  });

  it("gives every lexical hit the BM25 score one shard holding everything gives it", () => {
    for (const q of QUERIES.slice(0, 10)) {
      const whole = new Map(
        mergeLexical([one[0]?.lexical.search(queryTerms(q), 50) ?? emptyLexical()], 50).map((h) => [
          h.id,
          h.score,
        ]),
      );
      const merged = mergeLexical(
        four.map((s) => s.lexical.search(queryTerms(q), 50)),
        50,
      );
      expect(merged.length).toBe(whole.size);
      for (const h of merged) expect(h.score).toBeCloseTo(whole.get(h.id) ?? Number.NaN, 9);
    }
  });

  it("differs from comparing each shard's own BM25 scores, which this merge exists to avoid", () => {
    let reordered = 0;
    for (const q of QUERIES) {
      const terms = queryTerms(q);
      const results = four.map((s) => s.lexical.search(terms, 50));
      const local = results
        .flatMap((r) => r.hits.map((h) => ({ id: h.id, score: bm25Score(h.freq, h.length, r) })))
        .sort((a, b) => b.score - a.score)
        .slice(0, 10)
        .map((h) => h.id);
      if (
        local.join() !==
        mergeLexical(results, 10)
          .map((h) => h.id)
          .join()
      )
        reordered += 1;
    }
    expect(reordered).toBeGreaterThan(0);
  });
});

describe("mergeDense", () => {
  it("orders by score across shards, ties by id, keeping a duplicate's best score", () => {
    expect(
      mergeDense(
        [
          [
            { id: "b", score: 0.5 },
            { id: "c", score: 0.2 },
          ],
          [
            { id: "a", score: 0.5 },
            { id: "c", score: 0.9 },
          ],
        ],
        3,
      ),
    ).toEqual([
      { id: "c", score: 0.9 },
      { id: "a", score: 0.5 },
      { id: "b", score: 0.5 },
    ]);
  });
});

describe("bm25", () => {
  it("computes FTS5's formula, with its floor for terms in most rows", () => {
    expect(bm25Idf(100, 10)).toBeCloseTo(Math.log(90.5 / 10.5), 12);
    expect(bm25Idf(100, 80)).toBe(1e-6);
    const stats = { rows: 100, tokens: 5000, df: [10, 0] };
    const norm = 1.2 * (1 - 0.75 + (0.75 * 25) / 50);
    expect(bm25Score([2, 0], 25, stats)).toBeCloseTo(
      (Math.log(90.5 / 10.5) * 2 * 2.2) / (2 + norm),
      12,
    );
  });

  it("sums shard statistics phrase by phrase", () => {
    expect(
      sumStats([
        { rows: 3, tokens: 30, df: [1, 2] },
        { rows: 2, tokens: 10, df: [0, 1] },
      ]),
    ).toEqual({
      rows: 5,
      tokens: 40,
      df: [1, 3],
    });
  });
});

function emptyLexical(): ReturnType<LexicalIndex["search"]> {
  return { rows: 0, tokens: 0, df: [], hits: [] };
}
