import { describe, expect, it } from "vitest";
import { fuseRankings } from "../../../shared/rag/fusion.js";

describe("fuseRankings", () => {
  it("computes reciprocal rank fusion scores with k = 60", () => {
    const fused = fuseRankings([
      { name: "vector", ids: ["a", "b", "c"] },
      { name: "lexical", ids: ["b", "d"] },
    ]);
    expect(fused.map((h) => h.id)).toEqual(["b", "a", "d", "c"]);
    expect(fused[0]).toEqual({ id: "b", score: 1 / 62 + 1 / 61, ranks: { vector: 2, lexical: 1 } });
    expect(fused[1]?.score).toBeCloseTo(1 / 61, 12);
    expect(fused[2]).toEqual({ id: "d", score: 1 / 62, ranks: { lexical: 2 } });
    expect(fused[3]).toEqual({ id: "c", score: 1 / 63, ranks: { vector: 3 } });
  });

  it("breaks an exact score tie by id when best ranks are equal", () => {
    // w: 1/61 + 1/62, z: 1/62 + 1/61, both best rank 1.
    const fused = fuseRankings([
      { name: "one", ids: ["z", "w"] },
      { name: "two", ids: ["w", "z"] },
    ]);
    expect(fused.map((h) => h.id)).toEqual(["w", "z"]);
    expect(fused[0]?.score).toBe(fused[1]?.score);
  });

  it("breaks an exact score tie by best rank before id", () => {
    // k = 1: x = 2/(1+1) = 1 at rank 1; a = 3/(1+2) = 1 at rank 2. x wins despite its id.
    const fused = fuseRankings(
      [
        { name: "one", ids: ["x"] },
        { name: "two", ids: ["filler", "a"] },
      ],
      { k: 1, weights: { one: 2, two: 3 } },
    );
    expect(fused.map((h) => [h.id, h.score])).toEqual([
      ["filler", 1.5],
      ["x", 1],
      ["a", 1],
    ]);
  });

  it("applies weights and a custom k", () => {
    const fused = fuseRankings(
      [
        { name: "vector", ids: ["a"] },
        { name: "lexical", ids: ["b"] },
      ],
      { k: 10, weights: { lexical: 2 } },
    );
    expect(fused).toEqual([
      { id: "b", score: 2 / 11, ranks: { lexical: 1 } },
      { id: "a", score: 1 / 11, ranks: { vector: 1 } },
    ]);
  });

  it("counts an id repeated in one list once, at its first rank", () => {
    const fused = fuseRankings([{ name: "v", ids: ["a", "a", "b"] }]);
    expect(fused).toEqual([
      { id: "a", score: 1 / 61, ranks: { v: 1 } },
      { id: "b", score: 1 / 63, ranks: { v: 3 } },
    ]);
  });

  it("returns [] for no lists and rejects bad options", () => {
    expect(fuseRankings([])).toEqual([]);
    expect(() => fuseRankings([], { k: 0 })).toThrow(RangeError);
    expect(() => fuseRankings([{ name: "a", ids: [] }], { weights: { a: -1 } })).toThrow(
      RangeError,
    );
    expect(() =>
      fuseRankings([
        { name: "a", ids: [] },
        { name: "a", ids: [] },
      ]),
    ).toThrow(RangeError);
  });
});
