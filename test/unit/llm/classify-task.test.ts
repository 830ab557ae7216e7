import { describe, expect, it } from "vitest";
import { classifyTask, requiredQualityTier } from "../../../shared/llm/classify-task.js";

const ask = (question: string, extra: { contextTokens?: number; chunks?: number } = {}) =>
  classifyTask({
    question,
    questionTokens: Math.ceil(question.length / 4),
    contextTokens: extra.contextTokens ?? 500,
    ...(extra.chunks !== undefined ? { chunks: extra.chunks } : {}),
  });

describe("classifyTask", () => {
  it("calls a short lookup simple", () => {
    expect(ask("What is the default k?")).toMatchObject({
      complexity: "simple",
      signals: ["lookup"],
    });
    expect(ask("How many requests per minute does a key get?").complexity).toBe("simple");
  });

  it("takes a lookup-shaped question of up to 15 words as a lookup, and one of 16 as not", () => {
    const words = (n: number) =>
      ["What", ...Array.from({ length: n - 1 }, (_, i) => `w${i}`)].join(" \t\n ");
    expect(ask(`  ${words(15)}  `).signals).toContain("lookup");
    expect(ask(words(16)).signals).not.toContain("lookup");
  });

  it("calls a question that asks why or to explain moderate", () => {
    const profile = ask("Why does ragway keep rate limits in a Durable Object?");
    expect(profile.complexity).toBe("moderate");
    expect(profile.signals).toContain("reasoning");
  });

  it("calls a comparison with trade-offs complex", () => {
    const profile = ask("Compare KV and Durable Objects for counters and explain the trade-offs.");
    expect(profile.complexity).toBe("complex");
  });

  it("counts code as a signal, in the question or elsewhere in the prompt", () => {
    expect(ask("Fix this:\n```js\nconst x = () => y;\n```").signals).toContain("code");
    const inHistory = classifyTask({
      question: "and now?",
      questionTokens: 3,
      contextTokens: 40,
      extraText: "def handler(event):\n    return event",
    });
    expect(inHistory.signals).toContain("code");
  });

  it("adds points for size: a long question, a large prompt, many chunks", () => {
    const long = classifyTask({
      question: "word ".repeat(400),
      questionTokens: 400,
      contextTokens: 20_000,
      chunks: 12,
    });
    expect(long.signals).toEqual(
      expect.arrayContaining(["long-question", "large-prompt", "many-chunks"]),
    );
    expect(long.complexity).toBe("complex");
  });

  it("treats several questions at once as more than a lookup", () => {
    expect(ask("What is k? What is the default filter? And the model?").signals).toContain(
      "multi-part",
    );
  });

  it("is deterministic", () => {
    const q = "Explain how the fallback chain works and why it ends locally.";
    expect(ask(q)).toEqual(ask(q));
  });

  it("maps complexity to the quality tier it needs", () => {
    expect([
      requiredQualityTier("simple"),
      requiredQualityTier("moderate"),
      requiredQualityTier("complex"),
    ]).toEqual([1, 2, 3]);
  });
});
