import { describe, expect, it } from "vitest";
import { NO_SOURCES_ANSWER, extractiveAnswer } from "../../../shared/text/extractive.js";

const sources = [
  {
    title: "Caching",
    text:
      "ragway caches answers in three tiers. The memory tier lives in the isolate. " +
      "KV entries expire after one hour by default.",
  },
  {
    title: "Rate limits",
    text:
      "# Rate limits\n\nEvery API key is limited per minute. " +
      "Each key may send 60 requests per minute by default. Limits are enforced in a Durable Object.",
  },
  { title: "Pets", text: "Cats sleep for most of the day. Dogs like walks." },
];

describe("extractiveAnswer", () => {
  it("picks the sentence that answers a factual question and cites its source", () => {
    const out = extractiveAnswer("How many requests per minute can a key send?", sources, {
      maxSentences: 1,
    });
    expect(out).toEqual({
      answer: "Each key may send 60 requests per minute by default. [2]",
      citations: [2],
    });
  });

  it("cites every source it draws from, ordered by source then position", () => {
    const out = extractiveAnswer(
      "When do KV entries expire, and where are limits enforced?",
      sources,
    );
    expect(out.answer).toContain("KV entries expire after one hour by default. [1]");
    expect(out.answer).toContain("Limits are enforced in a Durable Object. [2]");
    expect(out.answer.indexOf("[1]")).toBeLessThan(out.answer.indexOf("[2]"));
    expect(out.citations).toEqual([1, 2]);
  });

  it("falls back to the top source's lead sentences when nothing overlaps", () => {
    const out = extractiveAnswer("zxqv wrrp?", sources);
    expect(out).toEqual({
      answer: "ragway caches answers in three tiers. [1] The memory tier lives in the isolate. [1]",
      citations: [1],
    });
  });

  it("answers a fixed sentence when there are no sources", () => {
    expect(extractiveAnswer("anything?", [])).toEqual({ answer: NO_SOURCES_ANSWER, citations: [] });
    expect(extractiveAnswer("anything?", [{ title: "t", text: "  \n " }])).toEqual({
      answer: NO_SOURCES_ANSWER,
      citations: [],
    });
  });

  it("keeps abbreviations and decimals inside one sentence", () => {
    const out = extractiveAnswer(
      "How much do small models cost?",
      [
        {
          title: "Pricing",
          text: "Prices vary by model. Small models, e.g. text-embedding-3-small, cost $0.02 per 1M tokens. Dr. Smith et al. wrote the docs.",
        },
      ],
      { maxSentences: 1 },
    );
    expect(out.answer).toBe(
      "Small models, e.g. text-embedding-3-small, cost $0.02 per 1M tokens. [1]",
    );
  });

  it("strips Markdown headings, list markers and code fences", () => {
    const out = extractiveAnswer(
      "How do I install the wrangler CLI?",
      [
        {
          title: "Setup",
          text: "## Install\n\n- Install the wrangler CLI with npm.\n- Log in.\n\n```sh\nnpm i -D wrangler\n```\n",
        },
      ],
      { maxSentences: 1 },
    );
    expect(out.answer).toBe("Install the wrangler CLI with npm. [1]");
  });

  it("drops near-duplicate sentences", () => {
    const dup = "The gateway retries upstream calls with jittered backoff.";
    const out = extractiveAnswer("How does the gateway retry upstream calls?", [
      { title: "A", text: dup },
      { title: "B", text: `${dup.replace("The", "the")}` },
      { title: "C", text: "The gateway retries upstream calls with jittered backoff!" },
    ]);
    expect(out).toEqual({ answer: `${dup} [1]`, citations: [1] });
  });

  it("respects maxSentences and maxChars", () => {
    const long = Array.from(
      { length: 5 },
      (_, i) => `Tokens are counted exactly in step ${i}.`,
    ).join(" ");
    const three = extractiveAnswer("How are tokens counted?", [{ title: "t", text: long }]);
    expect(three.answer.match(/\[1\]/g)).toHaveLength(3);
    const capped = extractiveAnswer("How are tokens counted?", [{ title: "t", text: long }], {
      maxChars: 60,
    });
    expect(capped.answer.length).toBeLessThanOrEqual(60);
    expect(capped.answer).toMatch(/\[1\]$/);
  });

  it("truncates a single over-long sentence at a word boundary", () => {
    const text = `Budgets ${"really ".repeat(50)}matter.`;
    const out = extractiveAnswer("Do budgets matter?", [{ title: "b", text }], { maxChars: 80 });
    expect(out.answer.length).toBeLessThanOrEqual(80);
    expect(out.answer).toMatch(/^Budgets really .*… \[1\]$/);
  });

  it("matches plural and -ing forms through light stemming", () => {
    const out = extractiveAnswer(
      "caching embeddings",
      [{ title: "x", text: "Nothing relevant here at all. The embedding cache stores vectors." }],
      { maxSentences: 1 },
    );
    expect(out.answer).toBe("The embedding cache stores vectors. [1]");
  });

  it("is deterministic", () => {
    const q = "Where are limits enforced?";
    expect(extractiveAnswer(q, sources)).toEqual(extractiveAnswer(q, sources));
  });
});
