import { describe, expect, it } from "vitest";
import { createTokenCounter, type TokenCounter } from "../../../shared/tokens/count.js";
import { createCountMemo } from "../../../shared/tokens/count-memo.js";

/** The real counter, recording the length of every text it is asked to count. */
function recording(): { counter: TokenCounter; counted: number[] } {
  const real = createTokenCounter();
  const counted: number[] = [];
  return {
    counted,
    counter: {
      ...real,
      count: (text) => {
        counted.push(text.length);
        return real.count(text);
      },
    },
  };
}

const history = "The write-ahead log is flushed before a commit returns. ".repeat(100);

describe("createCountMemo", () => {
  it("counts a long text once per caller and answers again with the same count", () => {
    const { counter, counted } = recording();
    const memo = createCountMemo({ maxBytes: 1 << 20, minChars: 1_000, ttlMs: 60_000 });
    const alice = memo.counterFor("principal:alice", counter);
    const first = alice.count(history);
    expect(alice.count(history)).toBe(first);
    expect(memo.counterFor("principal:alice", counter).count(history)).toBe(first);
    expect(counted).toEqual([history.length]);
    expect(first).toBe(createTokenCounter().count(history));
  });

  it("never answers one caller from another's counts", () => {
    const { counter, counted } = recording();
    const memo = createCountMemo({ maxBytes: 1 << 20, minChars: 1_000, ttlMs: 60_000 });
    memo.counterFor("principal:alice", counter).count(history);
    memo.counterFor("principal:bob", counter).count(history);
    expect(counted).toEqual([history.length, history.length]);
  });

  it("counts short texts every time, and forgets a count after its time to live", () => {
    const { counter, counted } = recording();
    let now = 0;
    const memo = createCountMemo({
      maxBytes: 1 << 20,
      minChars: 1_000,
      ttlMs: 60_000,
      clock: () => now,
    });
    const mine = memo.counterFor("principal:alice", counter);
    mine.count("short question");
    mine.count("short question");
    mine.count(history);
    now += 60_001;
    mine.count(history);
    expect(counted).toEqual([14, 14, history.length, history.length]);
  });

  it("keeps no more text than its byte budget", () => {
    const { counter, counted } = recording();
    const memo = createCountMemo({
      maxBytes: history.length * 2 + 200,
      minChars: 1_000,
      ttlMs: 60_000,
    });
    const mine = memo.counterFor("principal:alice", counter);
    const other = `${history}!`;
    mine.count(history);
    mine.count(other); // evicts the first
    mine.count(history);
    expect(counted).toEqual([history.length, other.length, history.length]);
  });
});
