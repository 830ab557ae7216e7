import { describe, expect, it } from "vitest";
import { queryTerms } from "../../../shared/search/fts-tokens.js";
import { LexicalIndex } from "../../../shared/search/lexical-index.js";
import { mergeLexical } from "../../../shared/search/merge-shards.js";

describe("LexicalIndex", () => {
  it("weights title hits by half and counts both columns in the row length", () => {
    const index = new LexicalIndex();
    index.upsert("a#0", { text: "replication slots keep WAL", title: "Replication" });
    const result = index.search(["replic"], 5);
    expect(result).toMatchObject({ rows: 1, tokens: 5, df: [1] });
    expect(result.hits).toEqual([{ id: "a#0", length: 5, freq: [1.5] }]);
  });

  it("finds a row as soon as it is written and forgets it once deleted or replaced", () => {
    const index = new LexicalIndex();
    index.upsert("a#0", { text: "vacuum freezes old tuples", title: "Vacuum" });
    index.upsert("b#0", { text: "indexes speed up queries", title: "Indexes" });
    expect(index.search(["vacuum"], 5).hits.map((h) => h.id)).toEqual(["a#0"]);
    index.upsert("a#0", { text: "autovacuum daemon", title: "Autovacuum" });
    expect(index.search(["vacuum"], 5).hits).toEqual([]);
    expect(index.delete("b#0")).toBe(true);
    expect(index.search(["index"], 5)).toMatchObject({ rows: 1, tokens: 3, df: [0], hits: [] });
  });

  it("ranks rarer terms and shorter rows first, as BM25 does", () => {
    const index = new LexicalIndex();
    index.upsert("long", { text: `checkpoint ${"filler ".repeat(40)}`, title: "" });
    index.upsert("short", { text: "checkpoint interval", title: "" });
    expect(index.search(["checkpoint"], 2).hits.map((h) => h.id)).toEqual(["short", "long"]);
  });

  it("scores as SQLite's FTS5 bm25(chunks_fts, 1.0, 0.5) does on the same rows", () => {
    // Expected values from SQLite 3.40 (Python's sqlite3): a table `fts5(text, title, tokenize =
    // 'porter unicode61')` with these rows, `SELECT rowid, -bm25(t, 1.0, 0.5) FROM t
    // WHERE t MATCH '"standby" OR "replication" OR "vacuum"'`.
    const rows: Array<[string, string]> = [
      ["replication slots keep the WAL needed by standby servers replication", "High Availability"],
      ["vacuum reclaims storage occupied by dead tuples vacuum vacuum", "Routine Vacuuming"],
      ["a standby server can run read only queries", "Hot Standby"],
      ["checkpoints flush dirty pages", "WAL Configuration"],
      ["indexes speed up queries on large tables", "Indexes"],
    ];
    const index = new LexicalIndex();
    rows.forEach(([text, title], i) => index.upsert(String(i + 1), { text, title }));
    const hits = mergeLexical([index.search(queryTerms("standby replication vacuum"), 10)], 10);
    expect(hits.map((h) => h.id)).toEqual(["2", "1", "3"]);
    expect(hits[0]?.score).toBeCloseTo(1.7430415925865366, 12);
    expect(hits[1]?.score).toBeCloseTo(1.7038304816269478, 12);
    expect(hits[2]?.score).toBeCloseTo(0.402676264660109, 12);
  });

  it("skips rows the filter rejects", () => {
    const index = new LexicalIndex();
    index.upsert("a#0", { text: "locks", title: "" });
    index.upsert("b#0", { text: "locks", title: "" });
    expect(index.search(["lock"], 5, (id) => id.startsWith("b")).hits.map((h) => h.id)).toEqual([
      "b#0",
    ]);
  });
});
