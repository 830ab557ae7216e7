import { describe, expect, it } from "vitest";
import { compareIds, mergeIdPages } from "../../../shared/search/merge-id-pages.js";

describe("compareIds", () => {
  it("orders by code point, as SQLite's binary collation orders UTF-8", () => {
    const ids = ["b", "a\u{1F600}", "a\uFFFD", "a", "A", "a/b", "ab"];
    const utf8 = (s: string) => [...new TextEncoder().encode(s)];
    const byBytes = [...ids].sort((x, y) => {
      const a = utf8(x);
      const b = utf8(y);
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
      }
      return a.length - b.length;
    });
    expect([...ids].sort(compareIds)).toEqual(byBytes);
    // JavaScript's own order puts the astral character first: the case this function exists for.
    expect([...ids].sort()).not.toEqual(byBytes);
  });

  it("is zero only for equal ids", () => {
    expect(compareIds("doc-1", "doc-1")).toBe(0);
    expect(compareIds("doc-1", "doc-10")).toBeLessThan(0);
    expect(compareIds("doc-2", "doc-10")).toBeGreaterThan(0);
  });
});

describe("mergeIdPages", () => {
  const page = (ids: string[], hasMore = false) => ({
    documents: ids.map((id) => ({ id })),
    hasMore,
  });

  it("keeps the first `limit` ids of the union and says more follow", () => {
    const merged = mergeIdPages([page(["a", "d", "g"], true), page(["b", "c"]), page([])], 3);
    expect(merged.documents.map((d) => d.id)).toEqual(["a", "b", "c"]);
    expect(merged.hasMore).toBe(true);
  });

  it("walks a sharded listing page by page exactly as one sorted list", () => {
    const all = Array.from({ length: 40 }, (_, i) => `doc-${i}`);
    const shards = [0, 1, 2].map((s) => all.filter((_, i) => i % 3 === s).sort(compareIds));
    const listShard = (ids: string[], after: string, limit: number) => {
      const rest = ids.filter((id) => compareIds(id, after) > 0);
      return page(rest.slice(0, limit), rest.length > limit);
    };
    const seen: string[] = [];
    let after = "";
    for (;;) {
      const merged = mergeIdPages(
        shards.map((ids) => listShard(ids, after, 7)),
        7,
      );
      seen.push(...merged.documents.map((d) => d.id));
      const last = merged.documents.at(-1);
      if (!merged.hasMore || !last) break;
      after = last.id;
    }
    expect(seen).toEqual([...all].sort(compareIds));
  });

  it("has no more when every shard is exhausted within the page", () => {
    const merged = mergeIdPages([page(["a"]), page(["b"])], 5);
    expect(merged).toEqual({ documents: [{ id: "a" }, { id: "b" }], hasMore: false });
  });
});
