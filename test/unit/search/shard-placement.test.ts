import { describe, expect, it } from "vitest";
import { MAX_SHARDS, shardCountSchema, shardOf } from "../../../shared/search/shard-placement.js";

const ids = Array.from({ length: 8000 }, (_, i) => `doc_${i.toString(36)}`);

describe("shardOf", () => {
  it("places the same id on the same shard every time", () => {
    expect(ids.slice(0, 50).map((id) => shardOf(id, 7))).toEqual(
      ids.slice(0, 50).map((id) => shardOf(id, 7)),
    );
  });

  it("puts everything on shard 0 of 1", () => {
    expect(new Set(ids.map((id) => shardOf(id, 1)))).toEqual(new Set([0]));
  });

  it("spreads ids evenly over the shards", () => {
    for (const shards of [4, 32]) {
      const counts = new Array<number>(shards).fill(0);
      for (const id of ids) counts[shardOf(id, shards)] = (counts[shardOf(id, shards)] ?? 0) + 1;
      const expected = ids.length / shards;
      for (const c of counts) expect(Math.abs(c - expected) / expected).toBeLessThan(0.25);
    }
  });

  it("moves only about 1/(n+1) of the documents when a shard is added", () => {
    const moved = ids.filter((id) => shardOf(id, 4) !== shardOf(id, 5)).length / ids.length;
    expect(moved).toBeGreaterThan(0.15);
    expect(moved).toBeLessThan(0.25);
    // ...and every moved document goes to the new shard.
    expect(ids.every((id) => shardOf(id, 4) === shardOf(id, 5) || shardOf(id, 5) === 4)).toBe(true);
  });

  it("rejects shard counts outside 1..32", () => {
    for (const bad of [0, 33, 1.5, Number.NaN]) expect(() => shardOf("x", bad)).toThrow(RangeError);
    expect(shardCountSchema.parse(undefined)).toBe(1);
    expect(shardCountSchema.safeParse(MAX_SHARDS + 1).success).toBe(false);
  });
});
