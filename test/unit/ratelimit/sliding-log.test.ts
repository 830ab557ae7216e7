import { describe, expect, it } from "vitest";
import { SlidingLog } from "../../../shared/ratelimit/sliding-log.js";

const WINDOW = 60_000;

/** Admits through the log the way the limiter does. */
function admit(log: SlidingLog, now: number, limit: number): boolean {
  const check = log.check(now, limit);
  if (check.allowed) log.add(now);
  return check.allowed;
}

describe("SlidingLog", () => {
  it("admits exactly the limit in a window and refuses the next", () => {
    const log = new SlidingLog(WINDOW);
    const t0 = 1_000_000;
    const results = Array.from({ length: 8 }, (_, i) => admit(log, t0 + i * 10, 5));
    expect(results).toEqual([true, true, true, true, true, false, false, false]);
    const refused = log.check(t0 + 100, 5);
    expect(refused).toMatchObject({ allowed: false, used: 5, remaining: 0 });
  });

  it("says truthfully when the next request fits: refused 1 ms before, admitted at", () => {
    const log = new SlidingLog(WINDOW);
    const t0 = 5_000_000;
    admit(log, t0, 2);
    admit(log, t0 + 20_000, 2);
    const refused = log.check(t0 + 30_000, 2);
    expect(refused.retryAfterMs).toBe(30_000);
    expect(log.check(t0 + 30_000 + refused.retryAfterMs - 1, 2).allowed).toBe(false);
    expect(admit(log, t0 + 30_000 + refused.retryAfterMs, 2)).toBe(true);
  });

  it("does not allow a double burst across a minute boundary (unlike a fixed window)", () => {
    const log = new SlidingLog(WINDOW);
    const minute = 60_000 * 1000;
    let admitted = 0;
    for (let i = 0; i < 10; i++) if (admit(log, minute - 500 + i, 10)) admitted++;
    for (let i = 0; i < 10; i++) if (admit(log, minute + 500 + i, 10)) admitted++;
    expect(admitted).toBe(10);
  });

  it("never admits more than the limit in any window-long span of random traffic", () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const limit = 7;
    const log = new SlidingLog(WINDOW);
    const admittedAt: number[] = [];
    let now = 0;
    for (let i = 0; i < 5_000; i++) {
      now += Math.floor(rand() * 3_000);
      if (admit(log, now, limit)) admittedAt.push(now);
    }
    for (let i = 0; i < admittedAt.length; i++) {
      const start = admittedAt[i] ?? 0;
      const inWindow = admittedAt.filter((t) => t >= start && t < start + WINDOW).length;
      expect(inWindow).toBeLessThanOrEqual(limit);
    }
    // And it is not needlessly strict: traffic far above the limit gets close to limit per window.
    expect(admittedAt.length).toBeGreaterThan((now / WINDOW) * limit * 0.9);
  });

  it("merges requests of one millisecond into one entry and releases them one at a time", () => {
    const log = new SlidingLog(WINDOW);
    for (let i = 0; i < 3; i++) log.add(1_000);
    expect(log.snapshot()).toEqual([{ at: 1_000, count: 3 }]);
    expect(log.release(1_000)).toEqual({ at: 1_000, count: 2 });
    expect(log.used(1_000)).toBe(2);
    log.release(1_000);
    expect(log.release(1_000)).toEqual({ at: 1_000, count: 0 });
    expect(log.snapshot()).toEqual([]);
    expect(log.release(1_000)).toBeNull();
  });

  it("records at the newest instant when the clock steps back, so nothing is admitted early", () => {
    const log = new SlidingLog(WINDOW);
    log.add(10_000);
    const entry = log.add(9_000);
    expect(entry).toEqual({ at: 10_000, count: 2 });
    expect(log.used(10_000 + WINDOW - 1)).toBe(2);
  });

  it("expires entries exactly one window after they were admitted", () => {
    const log = new SlidingLog(WINDOW);
    log.add(0);
    expect(log.used(WINDOW - 1)).toBe(1);
    expect(log.resetMs(WINDOW - 1)).toBe(1);
    expect(log.expire(WINDOW)).toBe(1);
    expect(log.used(WINDOW)).toBe(0);
    expect(log.resetMs(WINDOW)).toBe(0);
  });

  it("restored from its entries, decides exactly as before", () => {
    const log = new SlidingLog(WINDOW);
    for (let i = 0; i < 4; i++) admit(log, 1_000 * i, 4);
    const restored = new SlidingLog(WINDOW, log.snapshot());
    expect(restored.check(10_000, 4)).toEqual(log.check(10_000, 4));
    expect(restored.check(61_000, 4)).toEqual(log.check(61_000, 4));
  });

  it("stays correct when thousands of entries expire (compaction)", () => {
    const log = new SlidingLog(WINDOW);
    for (let i = 0; i < 5_000; i++) log.add(i * 10);
    expect(log.used(49_990)).toBe(5_000);
    expect(log.used(49_990 + 30_000)).toBe(5_000 - 2_000);
    expect(log.snapshot()[0]).toEqual({ at: 20_000, count: 1 });
    expect(log.used(200_000)).toBe(0);
  });
});
