import { describe, expect, it } from "vitest";
import { seeded } from "../../support/seeded-random.js";
import {
  bytesToFloat32,
  cosine,
  dot,
  float32ToBytes,
  l2normalize,
  topK,
  type IdVector,
} from "../../../shared/vector/vector.js";

/** Deterministic pseudo-random vectors (mulberry32) so failures reproduce. */
function randomVectors(n: number, dims: number, seed = 1): IdVector[] {
  const next = seeded(seed);
  const rand = (): number => next() - 0.5;
  return Array.from({ length: n }, (_, i) => ({
    id: `v${String(i).padStart(5, "0")}`,
    vector: Float32Array.from({ length: dims }, rand),
  }));
}

describe("dot / cosine / l2normalize", () => {
  it("computes the basics", () => {
    const a = Float32Array.from([1, 2, 3]);
    const b = Float32Array.from([4, -5, 6]);
    expect(dot(a, b)).toBe(12);
    expect(cosine(a, a)).toBeCloseTo(1, 6);
    expect(cosine(a, Float32Array.from([0, 0, 0]))).toBe(0);
    const n = l2normalize(Float32Array.from([3, 4]));
    expect(Array.from(n)).toEqual([expect.closeTo(0.6), expect.closeTo(0.8)]);
    expect(Array.from(l2normalize(new Float32Array(2)))).toEqual([0, 0]);
  });

  it("throws on a length mismatch", () => {
    expect(() => dot(new Float32Array(2), new Float32Array(3))).toThrow(RangeError);
  });
});

describe("topK", () => {
  it("matches a brute-force full sort", () => {
    const vectors = randomVectors(2000, 16);
    const query = randomVectors(1, 16, 99)[0]?.vector ?? new Float32Array(16);
    const brute = vectors
      .map(({ id, vector }) => ({ id, score: cosine(query, vector) }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
      .slice(0, 25);
    const fast = topK(query, vectors, 25);
    expect(fast.map((h) => h.id)).toEqual(brute.map((h) => h.id));
    fast.forEach((h, i) => expect(h.score).toBeCloseTo(brute[i]?.score ?? NaN, 6));
  });

  it("returns everything, sorted, when k exceeds the list", () => {
    const vectors = randomVectors(5, 4);
    const query = Float32Array.from([1, 0, 0, 0]);
    const hits = topK(query, vectors, 50);
    expect(hits).toHaveLength(5);
    for (let i = 1; i < hits.length; i++) {
      expect(hits[i - 1]?.score ?? 0).toBeGreaterThanOrEqual(hits[i]?.score ?? 0);
    }
  });

  it("returns nothing for k <= 0 or an empty list", () => {
    const q = Float32Array.from([1]);
    expect(topK(q, [{ id: "a", vector: q }], 0)).toEqual([]);
    expect(topK(q, [], 3)).toEqual([]);
  });

  it("breaks score ties by id", () => {
    const v = Float32Array.from([1, 0]);
    const hits = topK(
      v,
      [
        { id: "c", vector: v },
        { id: "a", vector: v },
        { id: "b", vector: v },
      ],
      2,
    );
    expect(hits.map((h) => h.id)).toEqual(["a", "b"]);
  });
});

describe("float32ToBytes / bytesToFloat32", () => {
  it("round-trips exactly", () => {
    const v = Float32Array.from([0.1, -2.5, 3e-8, 1e30]);
    expect(bytesToFloat32(float32ToBytes(v))).toEqual(v);
  });

  it("copies, so the result does not alias the input", () => {
    const v = Float32Array.from([1, 2]);
    const bytes = float32ToBytes(v);
    v[0] = 9;
    expect(bytesToFloat32(bytes)[0]).toBe(1);
  });

  it("decodes an unaligned Uint8Array view", () => {
    const bytes = new Uint8Array(float32ToBytes(Float32Array.from([1.5, -4])));
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes, 1);
    expect(Array.from(bytesToFloat32(padded.subarray(1)))).toEqual([1.5, -4]);
  });

  it("stores little-endian", () => {
    expect(Array.from(new Uint8Array(float32ToBytes(Float32Array.from([1]))))).toEqual([
      0, 0, 128, 63,
    ]);
  });

  it("rejects a length that is not a multiple of 4", () => {
    expect(() => bytesToFloat32(new Uint8Array(5))).toThrow(RangeError);
  });
});
