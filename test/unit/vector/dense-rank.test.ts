import { describe, expect, it } from "vitest";
import { denseRank } from "../../../shared/vector/dense-rank.js";

const packed = (rows: number[][], ids: number[]) => ({
  dims: rows[0]?.length ?? 0,
  ids,
  data: new Float32Array(rows.flat()),
});

describe("denseRank", () => {
  it("ranks rows by dot product with the query, best first, up to the limit", () => {
    const vectors = packed(
      [
        [1, 0],
        [0.6, 0.8],
        [0, 1],
      ],
      [10, 11, 12],
    );
    expect(denseRank(new Float32Array([0, 1]), vectors, 2, () => true)).toEqual([12, 11]);
  });

  it("skips rows the predicate refuses, by row position", () => {
    const vectors = packed(
      [
        [1, 0],
        [0.9, 0.1],
      ],
      [5, 6],
    );
    expect(denseRank(new Float32Array([1, 0]), vectors, 5, (row) => row !== 0)).toEqual([6]);
  });

  it("breaks ties on the lower id, whatever the row order", () => {
    const vectors = packed(
      [
        [1, 0],
        [1, 0],
      ],
      [9, 3],
    );
    expect(denseRank(new Float32Array([1, 0]), vectors, 2, () => true)).toEqual([3, 9]);
  });
});
