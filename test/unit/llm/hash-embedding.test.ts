import { describe, expect, it } from "vitest";
import { hashEmbed } from "../../../shared/llm/hash-embedding.js";
import { cosine } from "../../../shared/vector/vector.js";

function norm(v: Float32Array): number {
  return Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
}

describe("hashEmbed", () => {
  it("is deterministic", () => {
    const text = "Durable Objects keep exact per-user counters.";
    expect(hashEmbed(text)).toEqual(hashEmbed(text));
  });

  it("returns unit vectors of the requested dimension (default 384)", () => {
    expect(hashEmbed("hello world")).toHaveLength(384);
    const v = hashEmbed("hello world", 1024);
    expect(v).toHaveLength(1024);
    expect(norm(v)).toBeCloseTo(1, 5);
  });

  it("returns the zero vector for empty or symbol-only text", () => {
    expect(norm(hashEmbed(""))).toBe(0);
    expect(norm(hashEmbed("  ?!… --- "))).toBe(0);
  });

  it("places similar texts closer than unrelated ones", () => {
    const query = hashEmbed("How do I rotate an API key?");
    const related = hashEmbed("To rotate API keys, create a new key and revoke the old one.");
    const unrelated = hashEmbed("Bananas ripen faster in a paper bag at room temperature.");
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.1);
  });

  it("matches inflections through character n-grams", () => {
    const a = hashEmbed("caching");
    expect(cosine(a, hashEmbed("cached"))).toBeGreaterThan(cosine(a, hashEmbed("billing")));
  });

  it("normalizes case and Unicode compatibility forms (NFKC)", () => {
    expect(hashEmbed("ＡＰＩ Key")).toEqual(hashEmbed("api key"));
  });

  it("ignores stop words but still embeds a stop-word-only text", () => {
    expect(hashEmbed("the rate limit")).toEqual(hashEmbed("rate limit"));
    expect(norm(hashEmbed("what is it"))).toBeCloseTo(1, 5);
  });

  it("embeds CJK text by character bigrams", () => {
    const a = hashEmbed("東京は日本の首都です");
    expect(norm(a)).toBeCloseTo(1, 5);
    expect(cosine(a, hashEmbed("日本の首都"))).toBeGreaterThan(cosine(a, hashEmbed("猫が好き")));
  });

  it("rejects a non-positive dimension", () => {
    expect(() => hashEmbed("x", 0)).toThrow(RangeError);
  });
});
