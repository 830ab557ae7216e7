import { describe, expect, it } from "vitest";
import { seeded } from "../../support/seeded-random.js";
import { topK } from "../../../shared/vector/vector.js";
import { BinaryVectorIndex } from "../../../shared/search/binary-vector-index.js";
import { searchDense, type LoadFloats } from "../../../shared/search/dense-search.js";

const DIMS = 256;

/** Unit vectors around `clusters` random centres (nearest neighbours are close and many). */
function clustered(count: number, clusters: number, seed: number): Float32Array[] {
  const rand = seeded(seed);
  const gauss = (): number =>
    Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
  const unit = (v: Float32Array): Float32Array => {
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const centres = Array.from({ length: clusters }, () =>
    unit(Float32Array.from({ length: DIMS }, gauss)),
  );
  return Array.from({ length: count }, () => {
    const c = centres[Math.floor(rand() * clusters)] ?? new Float32Array(DIMS);
    return unit(c.map((x) => 0.3 + x + gauss() / Math.sqrt(DIMS)));
  });
}

/** The mean vector: the fixed centre an index takes from its first load. */
function mean(vectors: Float32Array[]): Float32Array {
  const out = new Float32Array(DIMS);
  for (const v of vectors) v.forEach((x, d) => (out[d] = (out[d] ?? 0) + x / vectors.length));
  return out;
}

function store(
  vectors: Float32Array[],
  center: Float32Array | null = mean(vectors),
): { index: BinaryVectorIndex; floats: Map<number, Float32Array>; load: LoadFloats } {
  const index = new BinaryVectorIndex({
    dims: DIMS,
    initialCapacity: 4,
    center: center ?? undefined,
  });
  const floats = new Map<number, Float32Array>();
  vectors.forEach((v, i) => {
    index.upsert(i, `doc-${i % 7}`, v);
    floats.set(i, v);
  });
  return { index, floats, load: (ids) => ids.map((id) => floats.get(id) ?? null) };
}

describe("BinaryVectorIndex with exact re-rank", () => {
  it("finds a vector written after the index was built, on the very next search", () => {
    const vectors = clustered(300, 10, 1);
    const { index, floats, load } = store(vectors);
    const fresh = clustered(1, 1, 99)[0] ?? new Float32Array(DIMS);
    expect(searchDense(index, fresh, 1, load)[0]?.id).not.toBe(1000);
    index.upsert(1000, "doc-new", fresh);
    floats.set(1000, fresh);
    const [hit] = searchDense(index, fresh, 1, load);
    expect(hit?.id).toBe(1000);
    expect(hit?.group).toBe("doc-new");
    expect(hit?.score).toBeCloseTo(1, 5);
  });

  it("replaces a vector in place: the old one is no longer found under its id", () => {
    const vectors = clustered(200, 8, 2);
    const { index, floats, load } = store(vectors);
    const old = vectors[5] ?? new Float32Array(DIMS);
    const replacement = clustered(1, 1, 77)[0] ?? new Float32Array(DIMS);
    index.upsert(5, "doc-5", replacement);
    floats.set(5, replacement);
    expect(index.size).toBe(200);
    expect(searchDense(index, replacement, 1, load)[0]?.id).toBe(5);
    expect(searchDense(index, old, 3, load).map((h) => h.id)).not.toContain(5);
  });

  it("removes a deleted vector and keeps every other vector findable after the swap", () => {
    const vectors = clustered(120, 6, 3);
    const { index, load } = store(vectors);
    expect(index.delete(10)).toBe(true);
    expect(index.delete(10)).toBe(false);
    expect(index.has(10)).toBe(false);
    expect(index.size).toBe(119);
    expect(
      searchDense(index, vectors[10] ?? new Float32Array(DIMS), 119, load).map((h) => h.id),
    ).not.toContain(10);
    vectors.forEach((v, id) => {
      if (id === 10) return;
      expect(searchDense(index, v, 1, load)[0]?.id).toBe(id);
    });
  });

  it("applies the filter before ranking, so k allowed hits come back", () => {
    const vectors = clustered(140, 5, 4);
    const { index, load } = store(vectors);
    const hits = searchDense(index, vectors[0] ?? new Float32Array(DIMS), 10, load, {
      allowed: (group) => group === "doc-3",
    });
    expect(hits).toHaveLength(10);
    expect(hits.every((h) => h.group === "doc-3")).toBe(true);
  });

  it("loads the candidates' floats in one batch per search", () => {
    const vectors = clustered(500, 10, 5);
    const { index, floats } = store(vectors);
    const calls: number[] = [];
    searchDense(
      index,
      vectors[1] ?? new Float32Array(DIMS),
      10,
      (ids) => {
        calls.push(ids.length);
        return ids.map((id) => floats.get(id) ?? null);
      },
      { rerank: 64 },
    );
    expect(calls).toEqual([64]);
  });

  it("skips candidates whose floats are gone from storage", () => {
    const vectors = clustered(50, 3, 6);
    const { index, floats } = store(vectors);
    const hits = searchDense(index, vectors[0] ?? new Float32Array(DIMS), 5, (ids) =>
      ids.map((id) => (id === 0 ? null : (floats.get(id) ?? null))),
    );
    expect(hits.map((h) => h.id)).not.toContain(0);
    expect(hits).toHaveLength(5);
  });

  it("reaches recall@10 >= 0.95 against exact search on clustered data", () => {
    const all = clustered(3050, 30, 7);
    const vectors = all.slice(0, 3000);
    const queries = all.slice(3000);
    const { index, load } = store(vectors);
    const exactSet = vectors.map((vector, i) => ({ id: String(i), vector }));
    let found = 0;
    for (const q of queries) {
      const want = new Set(topK(q, exactSet, 10).map((h) => Number(h.id)));
      found += searchDense(index, q, 10, load, { rerank: 300 }).filter((h) =>
        want.has(h.id),
      ).length;
    }
    expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(0.95);
  });

  it("ranks better than chance before any re-rank (the codes carry the geometry)", () => {
    const all = clustered(2020, 20, 8);
    const { index } = store(all.slice(0, 2000));
    const exactSet = all.slice(0, 2000).map((vector, i) => ({ id: String(i), vector }));
    let found = 0;
    for (const q of all.slice(2000)) {
      const want = new Set(topK(q, exactSet, 10).map((h) => Number(h.id)));
      found += index.approximate(q, 100).filter((h) => want.has(h.id)).length;
    }
    // 100 of 2,000 at random would hold 5% of the true top 10.
    expect(found / 200).toBeGreaterThan(0.6);
  });

  it("needs the centre when vectors share an offset: without it the codes are nearly all alike", () => {
    const all = clustered(2020, 20, 8);
    const exactSet = all.slice(0, 2000).map((vector, i) => ({ id: String(i), vector }));
    const recall = (index: BinaryVectorIndex): number => {
      let found = 0;
      for (const q of all.slice(2000)) {
        const want = new Set(topK(q, exactSet, 10).map((h) => Number(h.id)));
        found += index.approximate(q, 100).filter((h) => want.has(h.id)).length;
      }
      return found / 200;
    };
    const centred = recall(store(all.slice(0, 2000)).index);
    const uncentred = recall(store(all.slice(0, 2000), null).index);
    expect(centred).toBeGreaterThan(uncentred + 0.2);
  });

  it("rejects vectors of another length", () => {
    const index = new BinaryVectorIndex({ dims: 8 });
    expect(() => index.upsert(1, "d", new Float32Array(9))).toThrow(RangeError);
    expect(() => index.approximate(new Float32Array(7), 1)).toThrow(RangeError);
    expect(() => new BinaryVectorIndex({ dims: 0 })).toThrow(RangeError);
  });

  it("counts its resident bytes from the code size, far below a float copy", () => {
    const index = new BinaryVectorIndex({ dims: 1536, initialCapacity: 1000 });
    for (let i = 0; i < 1000; i++)
      index.upsert(i, "d", new Float32Array(1536).fill(i % 2 ? 1 : -1));
    expect(index.codeBytes).toBe(192);
    expect(index.residentBytes() / 1000).toBeLessThan(0.05 * 1536 * 4 + 60);
  });
});
