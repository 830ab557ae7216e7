import { describe, expect, it } from "vitest";
import {
  encodeEmbedding,
  float32ToBase64,
  shortenVector,
} from "../../../shared/llm/embedding-output.js";

describe("embedding output", () => {
  it("encodes base64 as little-endian float32, as the OpenAI SDK decodes it", () => {
    const v = new Float32Array([1, -0.5, 0.25]);
    const bytes = Uint8Array.from(atob(float32ToBase64(v)), (c) => c.charCodeAt(0));
    expect(Array.from(new Float32Array(bytes.buffer))).toEqual([1, -0.5, 0.25]);
    expect(encodeEmbedding(v, "float")).toEqual([1, -0.5, 0.25]);
  });

  it("shortens to the first n components at unit length", () => {
    const short = shortenVector(new Float32Array([3, 4, 12]), 2);
    expect(Array.from(short)).toEqual([expect.closeTo(0.6), expect.closeTo(0.8)]);
    const same = new Float32Array([1, 0]);
    expect(shortenVector(same, 5)).toBe(same);
  });
});
