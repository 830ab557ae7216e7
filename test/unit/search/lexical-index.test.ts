import { describe, expect, it } from "vitest";
import { LexicalIndex } from "../../../shared/search/lexical-index.js";

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

  it("skips rows the filter rejects", () => {
    const index = new LexicalIndex();
    index.upsert("a#0", { text: "locks", title: "" });
    index.upsert("b#0", { text: "locks", title: "" });
    expect(index.search(["lock"], 5, (id) => id.startsWith("b")).hits.map((h) => h.id)).toEqual([
      "b#0",
    ]);
  });
});
