// Progress output: a bar redrawn in place on a terminal (throttled), plain lines when piped.
import { describe, expect, it } from "vitest";
import {
  barLine,
  createReporter,
  formatDuration,
  plainLine,
  rateAndEta,
} from "../../../cli/ingest/progress.js";

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, out: { isTTY, columns: 100, write: (t: string) => void chunks.push(t) } };
}

describe("bar reporter", () => {
  it("redraws one line with \\r, at most every 100 ms, and prints notes above it", () => {
    let now = 0;
    const { chunks, out } = sink(true);
    const r = createReporter(out, { now: () => now, mode: "bar" });
    now = 1000;
    r.update({ done: 10, total: 40, chunks: 25 });
    now = 1050;
    r.update({ done: 11, total: 40, chunks: 26 }); // within 100 ms: not drawn
    now = 2000;
    r.update({ done: 20, total: 40, chunks: 50 });
    r.note("✗ bad.pdf: broken");
    r.finish({ done: 40, total: 40, chunks: 100 });
    const text = chunks.join("");
    expect(chunks[0]?.startsWith("\r\x1b[K")).toBe(true);
    expect(chunks[0]?.slice(4)).toBe(
      `[${"#".repeat(8)}${"-".repeat(22)}]  25% 10/40 files | 25 chunks | 10.0 files/s | ETA 3s`,
    );
    expect(text).not.toContain("11/40");
    expect(text).toContain("\r\x1b[K✗ bad.pdf: broken\n\r\x1b[K[");
    expect(text.endsWith("100% 40/40 files | 100 chunks | 20.0 files/s | ETA 0s\n")).toBe(true);
  });
});

describe("plain reporter", () => {
  it("writes whole lines without carriage returns, throttled to the interval", () => {
    let now = 0;
    const { chunks, out } = sink(false);
    const r = createReporter(out, { now: () => now, mode: "plain", plainIntervalMs: 2000 });
    r.update({ done: 0, total: 4, chunks: 0 });
    now = 500;
    r.update({ done: 1, total: 4, chunks: 2 });
    r.note("✗ x.txt: not UTF-8 text");
    now = 2500;
    r.update({ done: 3, total: 4, chunks: 6 });
    r.finish({ done: 4, total: 4, chunks: 8 });
    expect(chunks.join("")).not.toContain("\r");
    expect(chunks).toEqual([
      "progress 0/4 files (0%), 0 chunks, 0.0 files/s, ETA --\n",
      "✗ x.txt: not UTF-8 text\n",
      "progress 3/4 files (75%), 6 chunks, 1.2 files/s, ETA 1s\n",
      "progress 4/4 files (100%), 8 chunks, 1.6 files/s, ETA 0s\n",
    ]);
  });
});

describe("formatting", () => {
  it("formats durations from seconds to hours", () => {
    expect([0, 6_400, 125_000, 3_720_000, Number.NaN].map(formatDuration)).toEqual([
      "0s",
      "6s",
      "2m05s",
      "1h02m",
      "--",
    ]);
  });

  it("derives rate and ETA from progress so far", () => {
    expect(rateAndEta({ done: 50, total: 200, chunks: 0 }, 10_000)).toEqual({
      rate: 5,
      etaMs: 30_000,
    });
    expect(plainLine({ done: 0, total: 0, chunks: 0 }, 0)).toContain("(100%)");
  });

  it("fits the bar to narrow terminals", () => {
    const line = barLine({ done: 1, total: 2, chunks: 3 }, 1000, 60);
    expect(line).toMatch(/^\[#{5}-{5}\]/);
  });

  it("shows the jobs' documents done, failed and remaining once a job exists", () => {
    const jobs = { done: 180, failed: 2, remaining: 318 };
    expect(plainLine({ done: 10, total: 500, chunks: 30, jobs }, 1000)).toMatch(
      /; jobs: 180 done, 2 failed, 318 remaining$/,
    );
    expect(barLine({ done: 10, total: 500, chunks: 30, jobs }, 1000, 200)).toMatch(
      / \| jobs: 180 done, 2 failed, 318 remaining$/,
    );
    const none = { done: 0, failed: 0, remaining: 0 };
    expect(plainLine({ done: 1, total: 2, chunks: 3, jobs: none }, 1000)).not.toContain("jobs");
  });
});
