// The binary format of every cache entry (answers and embeddings, in every tier). Versioned and
// checksummed so a truncated, foreign or bit-flipped value is rejected, never half-decoded.
//
// Layout (little-endian):
//   0  magic "RGWC"          4  format version (1)     5  kind (1 JSON, 2 Float32 vector)
//   6  reserved (0, 0)       8  payload length u32     12 CRC-32 of bytes [16, end)
//   16 cost in USD f64       24 cost in tokens f64      32 created at (ms since epoch) f64
//   40 payload: UTF-8 JSON, or the raw Float32 vector (4 bytes per dimension)
import { deepFreeze } from "../util/frozen-json.js";

/** What computing the entry cost, so every later hit can be counted as saved. */
export interface EntryMeta {
  tokens: number;
  usd: number;
  createdAt: number;
}

export type EntryKind = "json" | "vector";

/** Why bytes were rejected. */
export type CorruptReason =
  | "too_short"
  | "bad_magic"
  | "unsupported_version"
  | "wrong_kind"
  | "bad_length"
  | "bad_checksum"
  | "bad_payload";

export type Decoded<T> =
  { ok: true; value: T; meta: EntryMeta } | { ok: false; reason: CorruptReason };

const MAGIC = [0x52, 0x47, 0x57, 0x43]; // "RGWC"
const FORMAT_VERSION = 1;
const KIND_CODE: Record<EntryKind, number> = { json: 1, vector: 2 };
export const HEADER_BYTES = 40;

/** Encodes a JSON-serializable value with its cost. */
export function encodeJsonEntry(value: unknown, meta: EntryMeta): ArrayBuffer {
  return encode("json", new TextEncoder().encode(JSON.stringify(value)), meta);
}

/**
 * Decodes a JSON entry; `parse` validates the shape and returns null for anything unexpected.
 * @example
 * decodeJsonEntry(bytes, (v) => schema.safeParse(v).data ?? null);
 */
export function decodeJsonEntry<T>(
  bytes: ArrayBuffer,
  parse: (v: unknown) => T | null,
): Decoded<T> {
  const frame = unframe(bytes, "json");
  if (!frame.ok) return frame;
  let raw: unknown;
  try {
    raw = JSON.parse(
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(frame.payload),
    );
  } catch {
    return { ok: false, reason: "bad_payload" };
  }
  const value = parse(raw);
  return value === null
    ? { ok: false, reason: "bad_payload" }
    : { ok: true, value, meta: frame.meta };
}

/**
 * {@link decodeJsonEntry} with `parse`, done once per buffer: the memory tier hands out the very
 * buffer it was given on every hit (a fill, or a back-fill of what edge or KV returned, decoded
 * on the way in) and nothing writes into it, so a memory hit skips the checksum, JSON.parse and
 * `parse`. The value is shared by every hit: frozen, so a caller that tried to change it would
 * fail loudly instead of changing later answers. Only valid entries are remembered.
 * @example
 * const decode = memoizedJsonDecoder(parseQueryAnswer); // once per isolate
 * decode(bytes); // the same decoded object for the same buffer
 */
export function memoizedJsonDecoder<T>(
  parse: (v: unknown) => T | null,
): (bytes: ArrayBuffer) => Decoded<T> {
  const decoded = new WeakMap<ArrayBuffer, Decoded<T>>();
  return (bytes) => {
    const known = decoded.get(bytes);
    if (known) return known;
    const fresh = decodeJsonEntry(bytes, parse);
    if (fresh.ok) decoded.set(bytes, deepFreeze(fresh));
    return fresh;
  };
}

/** Encodes a vector as its raw Float32 bytes behind the header. */
export function encodeVectorEntry(vector: Float32Array, meta: EntryMeta): ArrayBuffer {
  const payload = new Uint8Array(vector.length * 4);
  const view = new DataView(payload.buffer);
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i] ?? 0, true);
  return encode("vector", payload, meta);
}

/** Decodes a vector entry; an empty or non-finite vector is corrupt. */
export function decodeVectorEntry(bytes: ArrayBuffer): Decoded<Float32Array> {
  const frame = unframe(bytes, "vector");
  if (!frame.ok) return frame;
  const { payload } = frame;
  if (payload.byteLength === 0 || payload.byteLength % 4 !== 0) {
    return { ok: false, reason: "bad_payload" };
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const out = new Float32Array(payload.byteLength / 4);
  for (let i = 0; i < out.length; i++) {
    const x = view.getFloat32(i * 4, true);
    if (!Number.isFinite(x)) return { ok: false, reason: "bad_payload" };
    out[i] = x;
  }
  return { ok: true, value: out, meta: frame.meta };
}

function encode(kind: EntryKind, payload: Uint8Array, meta: EntryMeta): ArrayBuffer {
  const out = new ArrayBuffer(HEADER_BYTES + payload.byteLength);
  const bytes = new Uint8Array(out);
  const view = new DataView(out);
  bytes.set(MAGIC, 0);
  view.setUint8(4, FORMAT_VERSION);
  view.setUint8(5, KIND_CODE[kind]);
  view.setUint32(8, payload.byteLength, true);
  view.setFloat64(16, finiteOrZero(meta.usd), true);
  view.setFloat64(24, finiteOrZero(meta.tokens), true);
  view.setFloat64(32, finiteOrZero(meta.createdAt), true);
  bytes.set(payload, HEADER_BYTES);
  view.setUint32(12, crc32(bytes, 16, bytes.byteLength), true);
  return out;
}

function unframe(
  buffer: ArrayBuffer,
  kind: EntryKind,
): { ok: true; payload: Uint8Array; meta: EntryMeta } | { ok: false; reason: CorruptReason } {
  if (buffer.byteLength < HEADER_BYTES) return { ok: false, reason: "too_short" };
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  if (MAGIC.some((b, i) => bytes[i] !== b)) return { ok: false, reason: "bad_magic" };
  if (view.getUint8(4) !== FORMAT_VERSION) return { ok: false, reason: "unsupported_version" };
  if (view.getUint8(5) !== KIND_CODE[kind]) return { ok: false, reason: "wrong_kind" };
  if (view.getUint32(8, true) !== buffer.byteLength - HEADER_BYTES) {
    return { ok: false, reason: "bad_length" };
  }
  if (view.getUint32(12, true) !== crc32(bytes, 16, bytes.byteLength)) {
    return { ok: false, reason: "bad_checksum" };
  }
  const meta = {
    usd: view.getFloat64(16, true),
    tokens: view.getFloat64(24, true),
    createdAt: view.getFloat64(32, true),
  };
  if (
    !Number.isFinite(meta.usd) ||
    !Number.isFinite(meta.tokens) ||
    meta.usd < 0 ||
    meta.tokens < 0
  ) {
    return { ok: false, reason: "bad_payload" };
  }
  return { ok: true, payload: bytes.subarray(HEADER_BYTES), meta };
}

function finiteOrZero(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

let table: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, as in zip/PNG) of bytes[start, end). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.byteLength): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) {
    crc = (table[(crc ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
