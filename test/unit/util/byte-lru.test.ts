import { describe, expect, it } from "vitest";
import { ByteLru } from "../../../shared/util/byte-lru.js";
import { fakeClock } from "../../fakes/blob-store.js";

const HOUR = 3_600_000;

describe("ByteLru", () => {
  it("evicts the least recently used entries until a new one fits the byte budget", () => {
    const lru = new ByteLru<string>({ maxBytes: 100 });
    lru.set("a", "A", { bytes: 40, ttlMs: HOUR });
    lru.set("b", "B", { bytes: 40, ttlMs: HOUR });
    expect(lru.get("a")).toBe("A"); // a is now the most recent; b is the oldest
    lru.set("c", "C", { bytes: 40, ttlMs: HOUR });
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe("A");
    expect(lru.get("c")).toBe("C");
    expect(lru.bytes).toBe(80);
  });

  it("evicts as many small entries as one large entry needs", () => {
    const lru = new ByteLru<number>({ maxBytes: 100 });
    for (let i = 0; i < 10; i++) lru.set(`k${i}`, i, { bytes: 10, ttlMs: HOUR });
    lru.set("big", 99, { bytes: 75, ttlMs: HOUR });
    expect(lru.size).toBe(3);
    expect(lru.bytes).toBe(95);
    expect(lru.get("k8")).toBe(8);
    expect(lru.get("k7")).toBeUndefined();
  });

  it("refuses an entry larger than the whole budget without flushing the others", () => {
    const lru = new ByteLru<string>({ maxBytes: 100 });
    lru.set("a", "A", { bytes: 50, ttlMs: HOUR });
    expect(lru.set("huge", "H", { bytes: 101, ttlMs: HOUR })).toBe(false);
    expect(lru.get("a")).toBe("A");
    expect(lru.get("huge")).toBeUndefined();
  });

  it("replacing a key re-accounts its bytes", () => {
    const lru = new ByteLru<string>({ maxBytes: 100 });
    lru.set("a", "1", { bytes: 60, ttlMs: HOUR });
    lru.set("a", "2", { bytes: 10, ttlMs: HOUR });
    expect(lru.bytes).toBe(10);
    expect(lru.get("a")).toBe("2");
  });

  it("expires entries by the injected clock", () => {
    const clock = fakeClock();
    const lru = new ByteLru<string>({ maxBytes: 100, clock });
    lru.set("a", "A", { bytes: 10, ttlMs: 1000 });
    clock.advance(999);
    expect(lru.get("a")).toBe("A");
    clock.advance(1);
    expect(lru.get("a")).toBeUndefined();
    expect(lru.bytes).toBe(0);
  });

  it("deletes by key predicate and clears", () => {
    const lru = new ByteLru<number>({ maxBytes: 1000 });
    lru.set("ans:x:1", 1, { bytes: 1, ttlMs: HOUR });
    lru.set("ans:x:2", 2, { bytes: 1, ttlMs: HOUR });
    lru.set("ans:y:1", 3, { bytes: 1, ttlMs: HOUR });
    expect(lru.deleteWhere((k) => k.startsWith("ans:x:"))).toBe(2);
    expect(lru.get("ans:y:1")).toBe(3);
    expect(lru.clear()).toBe(1);
    expect(lru.bytes).toBe(0);
  });
});
