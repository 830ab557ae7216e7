import { describe, expect, it } from "vitest";
import { BlockedMemo } from "../../../shared/ratelimit/blocked-memo.js";
import { fakeClock } from "../../fakes/fake-clock.js";

describe("BlockedMemo", () => {
  it("refuses until the instant given, then forgets", () => {
    const clock = fakeClock(1_000);
    const memo = new BlockedMemo<string>(clock);
    memo.block("p1", "requests", 4_000, "rpm");
    expect(memo.check("p1", "requests")).toEqual({
      until: 4_000,
      remainingMs: 3_000,
      value: "rpm",
    });
    expect(memo.check("p1", "budget")).toBeNull();
    expect(memo.check("p2", "requests")).toBeNull();
    clock.set(3_999);
    expect(memo.check("p1", "requests")?.remainingMs).toBe(1);
    clock.set(4_000);
    expect(memo.check("p1", "requests")).toBeNull();
    expect(memo.size).toBe(0);
  });

  it("keeps the later of two blocks", () => {
    const memo = new BlockedMemo<string>(fakeClock(0));
    memo.block("p", "requests", 9_000, "later");
    memo.block("p", "requests", 5_000, "earlier");
    expect(memo.check("p", "requests")?.value).toBe("later");
  });

  it("stays within its bound, dropping expired entries first, then the oldest", () => {
    const clock = fakeClock(0);
    const memo = new BlockedMemo<number>(clock, 3);
    memo.block("expired", "requests", 10, 0);
    memo.block("a", "requests", 1_000, 1);
    memo.block("b", "requests", 1_000, 2);
    clock.set(20);
    memo.block("c", "requests", 1_000, 3);
    expect(memo.size).toBe(3);
    expect(memo.check("a", "requests")?.value).toBe(1);
    memo.block("d", "requests", 1_000, 4);
    expect(memo.size).toBe(3);
    expect(memo.check("a", "requests")).toBeNull();
    expect(memo.check("d", "requests")?.value).toBe(4);
  });
});
