import { describe, expect, it } from "vitest";
import {
  HEADER_BYTES,
  crc32,
  decodeJsonEntry,
  decodeVectorEntry,
  encodeJsonEntry,
  encodeVectorEntry,
  memoizedJsonDecoder,
} from "../../../shared/cache/entry-codec.js";

const meta = { tokens: 1234, usd: 0.000321, createdAt: 1_700_000_000_000 };
const anyObject = (v: unknown): { a: number } | null =>
  typeof v === "object" && v !== null && typeof (v as { a?: unknown }).a === "number"
    ? (v as { a: number })
    : null;

function flip(buf: ArrayBuffer, index: number): ArrayBuffer {
  const copy = buf.slice(0);
  const bytes = new Uint8Array(copy);
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return copy;
}

describe("entry codec", () => {
  it("round-trips a JSON value with its cost", () => {
    const decoded = decodeJsonEntry(encodeJsonEntry({ a: 7 }, meta), anyObject);
    expect(decoded).toEqual({ ok: true, value: { a: 7 }, meta });
  });

  it("stores a vector as its raw little-endian Float32 bytes after the header", () => {
    const v = Float32Array.from([0.5, -1.25, 3e-7]);
    const bytes = encodeVectorEntry(v, meta);
    expect(bytes.byteLength).toBe(HEADER_BYTES + 12);
    const payload = new DataView(bytes, HEADER_BYTES);
    expect(payload.getFloat32(4, true)).toBe(-1.25);
    const decoded = decodeVectorEntry(bytes);
    expect(decoded.ok && Array.from(decoded.value)).toEqual(Array.from(v));
    expect(decoded.ok && decoded.meta).toEqual(meta);
  });

  it("rejects truncated, foreign, bit-flipped and mislabelled bytes", () => {
    const good = encodeJsonEntry({ a: 1 }, meta);
    expect(decodeJsonEntry(good.slice(0, 10), anyObject)).toEqual({
      ok: false,
      reason: "too_short",
    });
    expect(decodeJsonEntry(good.slice(0, good.byteLength - 1), anyObject)).toEqual({
      ok: false,
      reason: "bad_length",
    });
    expect(decodeJsonEntry(flip(good, 0), anyObject)).toEqual({ ok: false, reason: "bad_magic" });
    expect(decodeJsonEntry(flip(good, 4), anyObject)).toEqual({
      ok: false,
      reason: "unsupported_version",
    });
    expect(decodeVectorEntry(good)).toEqual({ ok: false, reason: "wrong_kind" });
    // A flipped bit in the payload or in the cost fields fails the checksum.
    expect(decodeJsonEntry(flip(good, good.byteLength - 2), anyObject)).toEqual({
      ok: false,
      reason: "bad_checksum",
    });
    expect(decodeJsonEntry(flip(good, 20), anyObject)).toEqual({
      ok: false,
      reason: "bad_checksum",
    });
  });

  it("rejects JSON that decodes but has the wrong shape", () => {
    expect(decodeJsonEntry(encodeJsonEntry({ b: "x" }, meta), anyObject)).toEqual({
      ok: false,
      reason: "bad_payload",
    });
  });

  it("rejects a vector entry holding non-finite numbers or nothing", () => {
    expect(decodeVectorEntry(encodeVectorEntry(Float32Array.from([1, NaN]), meta))).toEqual({
      ok: false,
      reason: "bad_payload",
    });
    expect(decodeVectorEntry(encodeVectorEntry(new Float32Array(0), meta))).toEqual({
      ok: false,
      reason: "bad_payload",
    });
  });

  it("never throws on random bytes", () => {
    let seed = 7;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 24;
    };
    for (let n = 0; n < 500; n++) {
      const bytes = new Uint8Array(rand() % 120);
      for (let i = 0; i < bytes.length; i++) bytes[i] = rand();
      if (n % 3 === 0 && bytes.length >= 4) bytes.set([0x52, 0x47, 0x57, 0x43], 0);
      expect(decodeJsonEntry(bytes.buffer, anyObject).ok).toBe(false);
      expect(decodeVectorEntry(bytes.buffer).ok).toBe(false);
    }
  });

  it("computes the standard CRC-32", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("a memoized decoder validates a buffer once and hands every later read the same frozen value", () => {
    let parses = 0;
    const decode = memoizedJsonDecoder((v) => {
      parses++;
      return anyObject(v);
    });
    const bytes = encodeJsonEntry({ a: 7, nested: { b: [1] } }, meta);
    const first = decode(bytes);
    const second = decode(bytes);
    expect(first).toEqual({ ok: true, value: { a: 7, nested: { b: [1] } }, meta });
    expect(second).toBe(first);
    expect(parses).toBe(1);
    expect(first.ok && Object.isFrozen(first.value)).toBe(true);
    // Another buffer with the same bytes is decoded on its own.
    expect(decode(bytes.slice(0))).toEqual(first);
    expect(parses).toBe(2);
  });

  it("a memoized decoder remembers no rejection: a corrupt buffer is checked again", () => {
    let parses = 0;
    const decode = memoizedJsonDecoder((v) => {
      parses++;
      return anyObject(v);
    });
    const bad = encodeJsonEntry({ b: 1 }, meta);
    expect(decode(bad)).toEqual({ ok: false, reason: "bad_payload" });
    expect(decode(bad)).toEqual({ ok: false, reason: "bad_payload" });
    expect(parses).toBe(2);
  });
});
