import { describe, expect, it } from "vitest";
import {
  answerKey,
  normalizeQuery,
  parseScope,
  scopePrefix,
  semanticBucket,
  type AnswerKeyParts,
} from "../../../shared/cache/answer-key.js";
import { sha256Hex } from "../../../shared/util/hash.js";

const base: AnswerKeyParts = {
  query: "How do rate limits work?",
  k: 5,
  model: "gpt-4o-mini",
  priority: "cost",
  retrieval: "hybrid",
  embeddingModel: "text-embedding-3-small",
  indexVersion: 7,
  scope: "shared",
};

describe("normalizeQuery", () => {
  it("applies NFKC, folds case (including ß) and collapses whitespace", () => {
    expect(normalizeQuery("  ＡＰＩ\tKeys\n\n ROTATE  ")).toBe("api keys rotate");
    expect(normalizeQuery("Straße")).toBe(normalizeQuery("STRASSE"));
    expect(normalizeQuery("ΟΔΟΣ")).toBe(normalizeQuery("οδος"));
    expect(normalizeQuery("ﬁle")).toBe("file");
  });

  it("keeps differences that change meaning", () => {
    expect(normalizeQuery("api key?")).not.toBe(normalizeQuery("api keys?"));
    expect(normalizeQuery("rate-limit")).not.toBe(normalizeQuery("rate limit"));
  });
});

describe("answerKey", () => {
  it("is the same for queries that normalize alike", async () => {
    expect(await answerKey({ ...base, query: "how do  RATE limits work?" })).toBe(
      await answerKey(base),
    );
  });

  it("is the same key when asked again, remembered or not (a long question is not kept)", async () => {
    const long = { ...base, query: "why ".repeat(1000) };
    for (const parts of [base, long]) {
      const first = await answerKey(parts);
      expect(await answerKey(parts)).toBe(first);
      // The digest is still the SHA-256 of the key's material, not something the memo made up.
      expect(first.slice(-64)).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(await scopePrefix("shared")).toBe(
      `ans:v1:${(await sha256Hex("scope:shared")).slice(0, 16)}:`,
    );
  });

  it("gives a remembered question the key its parts make in any field order", async () => {
    const parts = { ...base, filter: { lang: "en" }, query: "Which keys rotate?" };
    const remembered = await answerKey(parts);
    expect(await answerKey(parts)).toBe(remembered);
    // The same parts built in another order and with the question spelled otherwise.
    const reordered: AnswerKeyParts = {
      scope: "shared",
      indexVersion: 7,
      embeddingModel: "text-embedding-3-small",
      retrieval: "hybrid",
      priority: "cost",
      model: "gpt-4o-mini",
      k: 5,
      filter: { lang: "en" },
      query: "  which KEYS rotate? ",
    };
    expect(await answerKey(reordered)).toBe(remembered);
    expect(await answerKey({ ...parts, query: "Which keys rotate" })).not.toBe(remembered);
  });

  it("changes with every part that can change the answer", async () => {
    const key = await answerKey(base);
    const variants: Array<Partial<AnswerKeyParts>> = [
      { query: "How do rate limits fail?" },
      { k: 6 },
      { filter: { team: "hr" } },
      { model: "gpt-4o" },
      { priority: "quality" },
      { maxContextTokens: 500 },
      { retrieval: "lexical" },
      { embeddingModel: "local-hash-embed" },
      { indexVersion: 8 },
      { scope: "principal:alice" },
      { namespace: "alpha" },
    ];
    const keys = await Promise.all(variants.map((v) => answerKey({ ...base, ...v })));
    for (const other of keys) expect(other).not.toBe(key);
    expect(new Set(keys).size).toBe(variants.length);
  });

  it("keys the default namespace as before namespaces existed, and others apart", async () => {
    expect(await answerKey({ ...base, namespace: "default" })).toBe(await answerKey(base));
    expect(await answerKey({ ...base, namespace: "alpha" })).not.toBe(
      await answerKey({ ...base, namespace: "beta" }),
    );
    expect(await semanticBucket({ ...base, namespace: "alpha" })).not.toBe(
      await semanticBucket({ ...base, namespace: "beta" }),
    );
  });

  it("ignores the order of filter fields and of 'any of' values", async () => {
    const a = await answerKey({ ...base, filter: { team: ["hr", "ops"], lang: "en" } });
    const b = await answerKey({ ...base, filter: { lang: "en", team: ["ops", "hr", "ops"] } });
    expect(a).toBe(b);
  });

  it("starts with its scope's prefix, which differs between scopes", async () => {
    const shared = await scopePrefix("shared");
    const alice = await scopePrefix("principal:alice");
    expect(shared).not.toBe(alice);
    expect(await answerKey(base)).toMatch(new RegExp(`^${shared}[0-9a-f]{64}$`));
    expect(await answerKey({ ...base, scope: "principal:alice" })).toMatch(new RegExp(`^${alice}`));
  });

  it("puts paraphrases in one semantic bucket, other versions and scopes in others", async () => {
    const bucket = await semanticBucket(base);
    const paraphrase: AnswerKeyParts = { ...base, query: "something else" };
    expect(await semanticBucket(paraphrase)).toBe(bucket);
    expect(await semanticBucket({ ...base, indexVersion: 8 })).not.toBe(bucket);
    expect(await semanticBucket({ ...base, scope: "principal:bob" })).not.toBe(bucket);
  });
});

describe("parseScope", () => {
  it("accepts shared and principal scopes only", () => {
    expect(parseScope("shared")).toBe("shared");
    expect(parseScope("principal:key_123")).toBe("principal:key_123");
    expect(parseScope("principal:")).toBeNull();
    expect(parseScope("tenant:x")).toBeNull();
    expect(parseScope("principal:a b")).toBeNull();
  });
});
