import { describe, expect, it } from "vitest";
import { SemanticIndex } from "../../../shared/cache/semantic.js";
import { fakeClock } from "../../fakes/blob-store.js";

const v = (...xs: number[]): Float32Array => Float32Array.from(xs);

function index(options: Partial<ConstructorParameters<typeof SemanticIndex>[0]> = {}) {
  return new SemanticIndex({ maxBytes: 1 << 20, ttlMs: 60_000, ...options });
}

describe("SemanticIndex", () => {
  it("returns the most similar cached question at or above the threshold", () => {
    const idx = index();
    idx.add("b", { key: "k1", query: "q1", vector: v(1, 0, 0) });
    idx.add("b", { key: "k2", query: "q2", vector: v(0.9, 0.1, 0) });
    const match = idx.best("b", v(0.9, 0.12, 0), 0.9);
    expect(match?.key).toBe("k2");
    expect(match?.similarity).toBeGreaterThan(0.99);
  });

  it("returns nothing below the threshold", () => {
    const idx = index();
    idx.add("b", { key: "k1", query: "q1", vector: v(1, 0) });
    expect(idx.best("b", v(0.7, 0.7), 0.95)).toBeNull();
    expect(idx.best("b", v(0.7, 0.7), 0.7)?.key).toBe("k1");
  });

  it("never matches across buckets or vector lengths", () => {
    const idx = index();
    idx.add("b1", { key: "k1", query: "q1", vector: v(1, 0) });
    expect(idx.best("b2", v(1, 0), 0.5)).toBeNull();
    expect(idx.best("b1", v(1, 0, 0), 0.5)).toBeNull();
  });

  it("forgets a candidate, clears by prefix, and drops the oldest past the per-bucket cap", () => {
    const idx = index({ maxPerBucket: 2 });
    idx.add("p:b", { key: "k1", query: "q1", vector: v(1, 0) });
    idx.add("p:b", { key: "k2", query: "q2", vector: v(0, 1) });
    idx.add("p:b", { key: "k3", query: "q3", vector: v(-1, 0) });
    expect(idx.best("p:b", v(1, 0), 0.9)).toBeNull(); // k1 dropped
    idx.forget("p:b", "k2");
    expect(idx.best("p:b", v(0, 1), 0.9)).toBeNull();
    expect(idx.best("p:b", v(-1, 0), 0.9)?.key).toBe("k3");
    expect(idx.clear("p:")).toBe(1);
    expect(idx.best("p:b", v(-1, 0), 0.9)).toBeNull();
  });

  it("expires buckets with the clock", () => {
    const clock = fakeClock();
    const idx = index({ clock, ttlMs: 1000 });
    idx.add("b", { key: "k1", query: "q1", vector: v(1, 0) });
    clock.advance(1000);
    expect(idx.best("b", v(1, 0), 0.5)).toBeNull();
  });
});
