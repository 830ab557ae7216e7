import { describe, expect, it, vi } from "vitest";
import * as fts from "../../../shared/search/fts-tokens.js";
import { queryTerms } from "../../../shared/search/fts-tokens.js";
import { parseFts5Averages } from "../../../shared/search/fts5-averages.js";
import { COLUMN_WEIGHTS, LexicalIndex } from "../../../shared/search/lexical-index.js";
import { shardLexicalResult } from "../../../shared/search/shard-lexical-result.js";

// The tokenizer, counted: which texts a search tokenizes, and which it found remembered.
vi.mock("../../../shared/search/fts-tokens.js", { spy: true });

/** The scope of one shard's remembered tokens (an INDEX object's, in the Worker). */
const shard = {};

describe("parseFts5Averages", () => {
  it("reads the row count and per-column token totals SQLite wrote", () => {
    // Blocks from SQLite 3.40: 5 rows (38 + 9 tokens), then 305 rows (60,038 + 609 tokens).
    expect(parseFts5Averages(Uint8Array.from([0x05, 0x26, 0x09]))).toEqual({
      rows: 5,
      columnTokens: [38, 9],
    });
    expect(parseFts5Averages(Uint8Array.from([0x82, 0x31, 0x83, 0xd5, 0x06, 0x84, 0x61]))).toEqual({
      rows: 305,
      columnTokens: [60038, 609],
    });
  });

  it("treats a missing record as an empty table and rejects a truncated one", () => {
    expect(parseFts5Averages(null)).toEqual({ rows: 0, columnTokens: [] });
    expect(() => parseFts5Averages(Uint8Array.from([0x82]))).toThrow(RangeError);
  });
});

describe("shardLexicalResult", () => {
  it("counts the same statistics as the in-memory FTS5 model", () => {
    const rows = [
      { id: "a#0", text: "Replication slots keep WAL for standby servers", title: "Replication" },
      { id: "b#0", text: "Vacuum reclaims dead tuples", title: "Routine Vacuuming" },
    ];
    const index = new LexicalIndex();
    for (const r of rows) index.upsert(r.id, r);
    const terms = queryTerms("replication vacuum standby");
    const expected = index.search(terms, 10);
    const df = new Map(terms.map((t, i) => [t, expected.df[i] ?? 0]));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const candidates = expected.hits.map(
      (h) => byId.get(h.id) ?? { id: h.id, text: "", title: "" },
    );
    expect(
      shardLexicalResult(
        terms,
        candidates,
        { rows: expected.rows, tokens: expected.tokens, df },
        shard,
      ),
    ).toEqual(expected);
  });

  it("counts a text the same when it is searched again, and after its memory of texts starts over", () => {
    const rows = [
      { id: "a#0", text: "Réplicas replicate; replication lags behind", title: "Replicas" },
      { id: "b#0", text: "Standby servers replay WAL", title: "" },
    ];
    const terms = queryTerms("replica standby");
    const stats = { rows: 2, tokens: 12, df: new Map([["replica", 1]]) };
    const first = shardLexicalResult(terms, rows, stats, shard);
    // "Réplicas" once in the text and "Replicas" in the title ("replicate" stems to "replic").
    expect(first.hits[0]?.freq).toEqual([COLUMN_WEIGHTS.text + COLUMN_WEIGHTS.title, 0]);
    expect(shardLexicalResult(terms, rows, stats, shard)).toEqual(first);
    // More distinct text than the memory keeps (two million characters), then the same rows.
    const filler = "vacuum analyze checkpoint ".repeat(400);
    for (let i = 0; i < 250; i++) {
      shardLexicalResult(
        terms,
        [{ id: `f#${i}`, text: `${i} ${filler}`, title: "" }],
        stats,
        shard,
      );
    }
    expect(shardLexicalResult(terms, rows, stats, shard)).toEqual(first);
  });

  it("remembers a text's tokens for the shard that searched it, never for another", () => {
    const rows = [{ id: "k#0", text: "Kestrels hover over the motorway verge", title: "Birds" }];
    const terms = queryTerms("kestrel");
    const stats = { rows: 1, tokens: 7, df: new Map([["kestrel", 1]]) };
    const tokenized = vi.mocked(fts.ftsTokens);
    const mine = {};
    const theirs = {};
    tokenized.mockClear();
    const first = shardLexicalResult(terms, rows, stats, mine);
    expect(tokenized).toHaveBeenCalledTimes(2); // the text and the title
    expect(shardLexicalResult(terms, rows, stats, mine)).toEqual(first);
    expect(tokenized).toHaveBeenCalledTimes(2); // remembered
    expect(shardLexicalResult(terms, rows, stats, theirs)).toEqual(first);
    expect(tokenized).toHaveBeenCalledTimes(4); // another shard tokenizes for itself
  });
});
