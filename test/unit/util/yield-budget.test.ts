// YieldBudget: long CPU work gives way to the event loop after each slice of units, with a
// macrotask (so timers and I/O of other requests run in between), and not before a slice is full.
import { describe, expect, it } from "vitest";
import { YieldBudget, yieldToEventLoop } from "../../../shared/util/yield-budget.js";

describe("YieldBudget", () => {
  it("gives way once per full slice, never for less", async () => {
    let pauses = 0;
    const budget = new YieldBudget(100, async () => {
      pauses += 1;
    });
    for (let i = 0; i < 9; i++) await budget.spend(10);
    expect(pauses).toBe(0);
    await budget.spend(10);
    expect(pauses).toBe(1);
    await budget.spend(250); // one oversized unit is one slice, not several
    expect(pauses).toBe(2);
    expect(budget.yielded).toBe(2);
  });

  it("lets a timer queued before the work run between its slices", async () => {
    const order: string[] = [];
    setTimeout(() => order.push("timer"), 0);
    const budget = new YieldBudget(1);
    for (let i = 0; i < 3; i++) {
      order.push(`slice ${i}`);
      await budget.spend(1);
    }
    expect(order.indexOf("timer")).toBeGreaterThan(0);
    expect(order.indexOf("timer")).toBeLessThan(order.length - 1);
  });

  it("yields a macrotask, which a microtask-only wait would not", async () => {
    let fired = false;
    setTimeout(() => (fired = true), 0);
    await Promise.resolve();
    expect(fired).toBe(false);
    await yieldToEventLoop();
    expect(fired).toBe(true);
  });

  it("refuses a slice that is not positive", () => {
    expect(() => new YieldBudget(0)).toThrow(RangeError);
  });
});
