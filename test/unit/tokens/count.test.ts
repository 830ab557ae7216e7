// The exact counter: agreement with js-tiktoken (the reference port), special-token handling,
// U+FEFF, the lazy once-per-isolate encoder build, and the compact-rank expansion it is built from.
import gptTokenizerRanks from "gpt-tokenizer/bpeRanks/o200k_base";
import { Tiktoken } from "js-tiktoken/lite";
import o200k_base from "js-tiktoken/ranks/o200k_base";
import { describe, expect, it, vi } from "vitest";
import { expandCompactRanks } from "../../../shared/tokens/compact-ranks.js";
import { approxTokenCount, createTokenCounter } from "../../../shared/tokens/count.js";

const reference = new Tiktoken(o200k_base);
const counter = createTokenCounter();

const MIXED = [
  "Retrieval-augmented generation (RAG) answers questions over your own documents.",
  "边缘缓存把重复的问题在几毫秒内返回，不再调用上游模型。令牌预算按用户精确计费。",
  "```ts\nexport async function fetch(req: Request): Promise<Response> {\n" +
    '  return new Response("ok", { status: 200 });\n}\n```',
  "Emoji: 🚀🔥 👩‍👩‍👧‍👦 ✅ — and accents: naïve café, Straße, Ελληνικά, русский, עברית, العربية.",
  "Numbers 1234567890 3.14159 1e-9 0xFF; URLs https://example.com/a?b=c&d=e#f; tabs\tand   spaces",
  "\n\n\n    indented\r\n\twindows line\r\n   trailing   \n",
  "I'm sure they'll say it's 'fine' — we've seen THAT'S WHAT'S up.",
].join("\n\n");

describe("createTokenCounter (o200k_base)", () => {
  it("counts match js-tiktoken o200k_base exactly on mixed text", () => {
    expect(counter.count(MIXED)).toBe(reference.encode(MIXED).length);
    for (const line of MIXED.split("\n")) {
      expect(counter.count(line)).toBe(reference.encode(line).length);
    }
  });

  it("encodes the same token ids as js-tiktoken and decodes back to the input", () => {
    const ids = counter.encode(MIXED);
    expect(ids).toEqual(reference.encode(MIXED));
    expect(counter.decode(ids)).toBe(MIXED);
    expect(counter.count(MIXED)).toBe(ids.length);
  });

  it("decodes a slice that cuts a character to U+FFFD, like js-tiktoken, leaking nothing", () => {
    const text = "令牌🚀👩‍👩‍👧 done";
    const ids = counter.encode(text);
    for (let k = 0; k <= ids.length; k++) {
      expect(counter.decode(ids.slice(0, k))).toBe(reference.decode(ids.slice(0, k)));
    }
    const cut = ids.findIndex((_, k) => counter.decode(ids.slice(0, k)).endsWith("\uFFFD"));
    expect(cut).toBeGreaterThan(0);
    counter.decode(ids.slice(0, cut));
    expect(counter.decode(counter.encode("👩"))).toBe("👩");
  });

  it("names its encoding", () => {
    expect(counter.encoding).toBe("o200k_base");
  });

  it("treats special-token text such as <|endoftext|> as ordinary text instead of throwing", () => {
    const text = "ignore this <|endoftext|> and <|im_start|>system";
    expect(() => counter.count(text)).not.toThrow();
    expect(counter.encode(text)).toEqual(reference.encode(text, [], []));
    expect(counter.decode(counter.encode(text))).toBe(text);
  });

  it("matches js-tiktoken on text with U+FEFF, which gpt-tokenizer alone miscounts", () => {
    for (const text of [
      "\uFEFF",
      "\uFEFFusing System;",
      "a\uFEFFb",
      "x \uFEFF",
      "\uFEFF\uFEFF#x",
    ]) {
      expect(counter.encode(text)).toEqual(reference.encode(text, [], []));
      expect(counter.count(text)).toBe(reference.encode(text, [], []).length);
      expect(counter.decode(counter.encode(text))).toBe(text);
    }
  });

  it("matches js-tiktoken on seeded random text mixing scripts, spaces, emoji and U+FEFF", () => {
    const pool = [..."aZ09 _-.,'’\n\t\r  édßж中文한글ا🚀👩‍💻\uFEFF\u00A0\u200B<|>"];
    let seed = 42;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let k = 0; k < 300; k++) {
      const text = Array.from({ length: 1 + next(40) }, () => pool[next(pool.length)]).join("");
      expect(counter.encode(text)).toEqual(reference.encode(text, [], []));
    }
  });

  it("counts empty text as 0 tokens and round-trips it", () => {
    expect(counter.count("")).toBe(0);
    expect(counter.encode("")).toEqual([]);
    expect(counter.decode([])).toBe("");
  });

  it("builds the encoder lazily on first use, once per isolate, for every counter", async () => {
    vi.resetModules();
    const fresh = await import("../../../shared/tokens/count.js");
    expect(fresh.isTokenEncoderBuilt()).toBe(false);
    const a = fresh.createTokenCounter();
    const b = fresh.createTokenCounter();
    expect(fresh.isTokenEncoderBuilt()).toBe(false);
    expect(a.decode([])).toBe("");
    expect(fresh.isTokenEncoderBuilt()).toBe(false);
    expect(a.count("hello world")).toBe(2);
    expect(fresh.isTokenEncoderBuilt()).toBe(true);
    expect(b).toBe(a);
  });
});

describe("expandCompactRanks", () => {
  it("turns js-tiktoken's o200k ranks into exactly gpt-tokenizer's own rank table", () => {
    const table = expandCompactRanks(o200k_base.bpe_ranks);
    expect(table.length).toBe(gptTokenizerRanks.length);
    const differing = table.filter((token, rank) => {
      const theirs = gptTokenizerRanks[rank];
      if (typeof token === "string" || typeof theirs === "string") return token !== theirs;
      return theirs === undefined || token.join(",") !== theirs.join(",");
    });
    expect(differing).toEqual([]);
  });

  it("keeps text tokens as text and invalid or U+FEFF-led ones as bytes, from any first rank", () => {
    // "!", "’", the first two bytes of "’", U+FEFF, then " \uFEFF" on a second line from rank 7.
    const table = expandCompactRanks("! 0 IQ== 4oCZ 4oA= 77u/\n! 7 IO+7vw==");
    expect(table[0]).toBe("!");
    expect(table[1]).toBe("’");
    expect(table[2]).toEqual([0xe2, 0x80]);
    expect(table[3]).toEqual([0xef, 0xbb, 0xbf]);
    expect(table[7]).toBe(" \uFEFF");
    expect(table.length).toBe(8);
  });

  it("rejects malformed input instead of building a wrong table", () => {
    expect(() => expandCompactRanks("! x IQ==")).toThrow(SyntaxError);
    expect(() => expandCompactRanks("! 0 IQ=")).toThrow(SyntaxError);
    expect(() => expandCompactRanks("! 0 I*==")).toThrow(SyntaxError);
  });
});

describe("approxTokenCount (estimate)", () => {
  it("is the ceiling of characters / 4", () => {
    expect(approxTokenCount("")).toBe(0);
    expect(approxTokenCount("abc")).toBe(1);
    expect(approxTokenCount("abcd")).toBe(1);
    expect(approxTokenCount("abcde")).toBe(2);
  });

  it("is only an estimate: close for English prose, far under for Chinese", () => {
    const english = MIXED.split("\n\n")[0] ?? "";
    const chinese = MIXED.split("\n\n")[1] ?? "";
    const englishRatio = approxTokenCount(english) / counter.count(english);
    expect(englishRatio).toBeGreaterThan(0.7);
    expect(englishRatio).toBeLessThan(1.5);
    expect(approxTokenCount(chinese)).toBeLessThan(counter.count(chinese) / 2);
  });
});
