import { describe, expect, it } from "vitest";
import { createTokenCounter } from "../../../shared/tokens/count.js";
import { countBounded, hasLongRun } from "../../../shared/tokens/count-bounded.js";
import { seeded } from "../../support/seeded-random.js";

const counter = createTokenCounter();

describe("countBounded", () => {
  it("is exact for ordinary text", () => {
    const text = "Ragway retries transient failures with full jitter, then falls back. ".repeat(50);
    expect(countBounded(text, counter)).toBe(counter.count(text));
  });

  it("stays close to exact on long unbroken runs", () => {
    const run = "x".repeat(5_000);
    const exact = counter.count(run);
    const bounded = countBounded(`before ${run} after`, counter);
    const slices = Math.ceil(run.length / 128);
    expect(Math.abs(bounded - counter.count(`before ${run} after`))).toBeLessThanOrEqual(
      slices + 2,
    );
    expect(bounded).toBeGreaterThanOrEqual(exact);
  });

  it("counts a megabyte of one unbroken run without quadratic blow-up", () => {
    // Exact counting of this takes minutes; bounded counting is linear. The assertion is on the
    // result only: the test would time out long before an exact count finished.
    expect(countBounded("QUJDRE".repeat(170_000), counter)).toBeGreaterThan(100_000);
  });

  it("finds a run of 256 non-whitespace characters exactly where /\\S{256}/ does", () => {
    const next = seeded(11);
    // Every character \s matches, some that it does not, and runs around the boundary.
    const spaces = [
      " ",
      "\t",
      "\n",
      "\v",
      "\f",
      "\r",
      "\u00a0",
      "\u1680",
      "\u2000",
      "\u200a",
      "\u2028",
      "\u2029",
      "\u202f",
      "\u205f",
      "\u3000",
      "\ufeff",
    ];
    const others = ["a", "é", "\u200b", "\u180e", "😀", "-", "\u0085"];
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    for (let i = 0; i < 3_000; i++) {
      let text = "";
      const pieces = 1 + Math.floor(next() * 6);
      for (let p = 0; p < pieces; p++) {
        const length = pick([0, 1, 7, 127, 128, 200, 254, 255, 256, 257, 300, 600]);
        for (let c = 0; c < length; c++) text += pick(others);
        text += pick(spaces);
      }
      if (next() < 0.5) text = text.slice(Math.floor(next() * text.length));
      expect(hasLongRun(text), JSON.stringify(text.slice(0, 40))).toBe(/\S{256}/.test(text));
    }
  });
});
