import { describe, expect, it } from "vitest";
import { joinPieces, PIECE_BYTES, splitForRows } from "../../../shared/jobs/document-pieces.js";

const utf8 = (s: string) => new TextEncoder().encode(s).length;

describe("splitForRows", () => {
  it("keeps a document whose JSON fits in one row whole", () => {
    const json = JSON.stringify({ text: "short note" });
    expect(splitForRows(json)).toBe(json);
  });

  it("keeps text whole when its UTF-8 bytes fit, even if three bytes per character would not", () => {
    const json = "a".repeat(PIECE_BYTES);
    expect(splitForRows(json)).toBe(json);
  });

  it("cuts a document past the limit into pieces no larger than it, which join back exactly", () => {
    // Vertical tabs escape to six bytes each: 500,000 characters of text become 3 MB of JSON.
    const json = JSON.stringify({ id: "big", text: `# Big\n\n${"\u000b".repeat(500_000)}` });
    expect(utf8(json)).toBeGreaterThan(2 * 1024 * 1024);
    const pieces = splitForRows(json);
    expect(Array.isArray(pieces)).toBe(true);
    if (!Array.isArray(pieces)) return;
    expect(pieces).toHaveLength(Math.ceil(utf8(json) / PIECE_BYTES));
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(PIECE_BYTES);
    expect(joinPieces(pieces)).toBe(json);
  });

  it("rejoins characters of several bytes that a cut fell inside", () => {
    // 7-byte pieces over 3- and 4-byte characters: nearly every cut splits one.
    const text = "日本語🦘テキスト🐨とemoji🌏".repeat(20);
    const pieces = splitForRows(text, 7);
    if (!Array.isArray(pieces)) throw new Error("expected pieces");
    expect(pieces.length).toBe(Math.ceil(utf8(text) / 7));
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(7);
    expect(joinPieces(pieces)).toBe(text);
  });

  it("refuses a piece size that is not a positive integer", () => {
    expect(() => splitForRows("abc", 0)).toThrow(RangeError);
    expect(() => splitForRows("abc", 2.5)).toThrow(RangeError);
  });
});

describe("joinPieces", () => {
  it("throws on pieces given out of order rather than returning broken text", () => {
    const pieces = splitForRows("🦘🐨🌏🦘🐨🌏", 3);
    if (!Array.isArray(pieces)) throw new Error("expected pieces");
    expect(() => joinPieces([...pieces].reverse())).toThrow();
  });

  it("joins no pieces to the empty string", () => {
    expect(joinPieces([])).toBe("");
  });
});
