// Token-aware chunking: hard cap, no empty chunks, sentence overlap, headings kept with their
// text, monster sentences cut on token boundaries, determinism.
import { describe, expect, it } from "vitest";
import { chunkText, type TextChunk } from "../../../shared/rag/chunk.js";
import { createTokenCounter } from "../../../shared/tokens/count.js";

const counter = createTokenCounter();

/** A deterministic PRNG so the sample document is the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = "edge cache token budget durable object retrieval chunk query model fallback".split(
  " ",
);

function sentence(next: () => number, id: string): string {
  const words = Array.from({ length: 5 + Math.floor(next() * 20) }, () => {
    return WORDS[Math.floor(next() * WORDS.length)] ?? "x";
  });
  return `S${id} ${words.join(" ")}.`;
}

/** Markdown with headings, prose paragraphs, Chinese, a code fence and emoji. */
function sampleDoc(seed = 1): string {
  const next = rng(seed);
  const parts: string[] = [];
  for (let section = 0; section < 6; section++) {
    parts.push(`## Section ${section}`);
    for (let p = 0; p < 4; p++) {
      const count = 2 + Math.floor(next() * 8);
      parts.push(
        Array.from({ length: count }, (_, i) => sentence(next, `${section}.${p}.${i}`)).join(" "),
      );
    }
    parts.push("边缘缓存让重复的问题几毫秒就返回。令牌预算精确计费！🚀 这样更省钱。");
    parts.push("```ts\nconst a = 1. + 2;\n\nexport function f(): number {\n  return a;\n}\n```");
  }
  return parts.join("\n\n");
}

function checkInvariants(chunks: TextChunk[], maxTokens: number): void {
  chunks.forEach((chunk, i) => {
    expect(chunk.ordinal).toBe(i);
    expect(chunk.text.trim()).not.toBe("");
    expect(chunk.tokens).toBe(counter.count(chunk.text));
    expect(chunk.tokens).toBeLessThanOrEqual(maxTokens);
    expect(chunk.text).not.toContain("\uFFFD");
  });
}

describe("chunkText", () => {
  it("never exceeds maxTokens, never emits an empty chunk, and counts each chunk exactly", () => {
    for (const [targetTokens, maxTokens] of [
      [300, 400],
      [120, 150],
      [60, 80],
    ] as const) {
      const chunks = chunkText(sampleDoc(), {
        counter,
        targetTokens,
        maxTokens,
        overlapTokens: 20,
      });
      expect(chunks.length).toBeGreaterThan(1);
      checkInvariants(chunks, maxTokens);
    }
  });

  it("keeps every sentence of the source, in order", () => {
    const doc = sampleDoc(3);
    const chunks = chunkText(doc, { counter, targetTokens: 100, maxTokens: 140 });
    const ids = [...doc.matchAll(/S\d+\.\d+\.\d+/g)].map((m) => m[0]);
    const seen = chunks.flatMap((c) => [...c.text.matchAll(/S\d+\.\d+\.\d+/g)].map((m) => m[0]));
    expect([...new Set(seen)]).toEqual(ids);
  });

  it("overlaps consecutive chunks by whole trailing sentences, up to overlapTokens", () => {
    const next = rng(9);
    const doc = Array.from({ length: 80 }, (_, i) => sentence(next, `0.0.${i}`)).join(" ");
    const chunks = chunkText(doc, { counter, targetTokens: 120, overlapTokens: 40 });
    expect(chunks.length).toBeGreaterThan(3);
    for (let i = 1; i < chunks.length; i++) {
      const prev = chunks[i - 1]?.text ?? "";
      const cur = chunks[i]?.text ?? "";
      const firstId = /^S[\d.]+?(?= )/.exec(cur)?.[0] ?? "none";
      const shared = prev.slice(prev.indexOf(`${firstId} `));
      expect(prev).toContain(`${firstId} `);
      expect(cur.startsWith(shared)).toBe(true);
      expect(counter.count(shared)).toBeLessThanOrEqual(40);
    }
  });

  it("keeps a Markdown heading with the text that follows it", () => {
    const chunks = chunkText(sampleDoc(5), { counter, targetTokens: 80, maxTokens: 120 });
    for (const chunk of chunks) {
      const lines = chunk.text.split("\n");
      expect(lines[lines.length - 1]).not.toMatch(/^#{1,6} /);
    }
    const sectionStarts = chunks.filter((c) => c.text.startsWith("## Section"));
    expect(sectionStarts.length).toBeGreaterThan(2);
  });

  it("starts a new chunk at a heading once the current chunk is at least half full", () => {
    const intro = Array.from({ length: 20 }, (_, i) => `Intro sentence ${i} is here.`).join(" ");
    const doc = `${intro}\n\n# Next part\n\nThe next part begins here.`;
    const chunks = chunkText(doc, { counter, targetTokens: 200 });
    expect(chunks.map((c) => c.text)).toEqual([intro, "# Next part\n\nThe next part begins here."]);
  });

  it("carries no overlap from one section into the next", () => {
    const section = (n: number): string =>
      `## Section ${n}\n\n` +
      Array.from({ length: 30 }, (_, i) => `Sentence ${n}.${i} is a fine one.`).join(" ");
    const chunks = chunkText(`${section(0)}\n\n${section(1)}`, { counter, targetTokens: 80 });
    const starts = chunks.filter((c) => c.text.startsWith("## Section"));
    expect(starts.map((c) => c.text.slice(0, 12))).toEqual(["## Section 0", "## Section 1"]);
    expect(
      chunks.filter((c) => c.text.includes("Sentence 0.") && c.text.includes("## Section 1")),
    ).toHaveLength(0);
  });

  it("splits a monster sentence on token boundaries and loses nothing", () => {
    const monster = Array.from({ length: 1500 }, (_, i) => `w${i}`).join("-");
    const chunks = chunkText(monster, { counter, targetTokens: 300, overlapTokens: 0 });
    expect(chunks.length).toBeGreaterThan(4);
    checkInvariants(chunks, 400);
    expect(chunks.map((c) => c.text).join("")).toBe(monster);
  });

  it("cuts long CJK and emoji runs without splitting a character", () => {
    const run = "令牌预算精确计费🚀👩‍👩‍👧".repeat(600);
    const chunks = chunkText(run, { counter, targetTokens: 100, maxTokens: 150, overlapTokens: 0 });
    checkInvariants(chunks, 150);
    expect(chunks.map((c) => c.text).join("")).toBe(run);
  });

  it("copes with a 100k-character unbroken run (BPE is quadratic in it) within the cap", () => {
    const chunks = chunkText("a".repeat(100_000), { counter, overlapTokens: 0 });
    checkInvariants(chunks, 400);
    expect(chunks.map((c) => c.text).join("")).toBe("a".repeat(100_000));
  });

  it("keeps code fence lines whole and does not split them as sentences", () => {
    const doc = "Intro.\n\n```ts\nconst a = 1. + 2; const b = 3. + 4;\n\nreturn a;\n```";
    const [only] = chunkText(doc, { counter });
    expect(only?.text).toBe(doc);
  });

  it("is deterministic", () => {
    const doc = sampleDoc(7);
    expect(chunkText(doc, { counter, targetTokens: 90 })).toEqual(
      chunkText(doc, { counter, targetTokens: 90 }),
    );
  });

  it("normalizes \\r\\n line endings", () => {
    const doc = sampleDoc(2);
    expect(chunkText(doc.replace(/\n/g, "\r\n"), { counter })).toEqual(chunkText(doc, { counter }));
  });

  it("returns no chunks for empty or whitespace-only text", () => {
    expect(chunkText("", { counter })).toEqual([]);
    expect(chunkText(" \n\r\n\t\n", { counter })).toEqual([]);
  });

  it("rejects an overlap as large as the target, or a target above the cap", () => {
    expect(() => chunkText("x", { counter, targetTokens: 50, overlapTokens: 50 })).toThrow(
      RangeError,
    );
    expect(() => chunkText("x", { counter, targetTokens: 500, maxTokens: 400 })).toThrow(
      RangeError,
    );
  });
});
