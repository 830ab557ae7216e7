// API keys: `rgw_<24 hex id>_<43 base62 secret><6 base62 CRC32>`. The key carries its own
// principal id, so a request finds its LIMITER object without any lookup (no KV propagation delay
// for new keys), and the object holds only the SHA-256 of the whole key to check it against.
// The checksum (as in GitHub's token format) lets any isolate refuse a mistyped or forged key
// before it reaches an object. Keys minted before the checksum (`rgw_<id>_<43 base64url>`) keep
// working as legacy keys: they are checked by their object like before.
import { sha256Hex } from "../util/hash.js";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SECRET_CHARS = 43; // 43 base62 characters: 256 bits
const CHECKSUM_CHARS = 6; // 62^6 > 2^32

const KEY_PATTERN = /^rgw_([0-9a-f]{24})_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/;
const LEGACY_KEY_PATTERN = /^rgw_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;
const ID_PATTERN = /^key_[0-9a-f]{24}$/;

/** A freshly minted key: its public id and the secret to show once. */
export interface NewApiKey {
  id: string;
  key: string;
}

/** What a bearer token is, as far as its shape and checksum tell. */
export type KeyFormat =
  /** A current key whose checksum matches. */
  | { kind: "key"; id: string }
  /** A key minted before checksums: only its object can tell whether it exists. */
  | { kind: "legacy"; id: string }
  /** Shaped like a current key, but the checksum is wrong: mistyped or forged. */
  | { kind: "bad_checksum" }
  /** Not a ragway key at all. */
  | { kind: "foreign" };

/**
 * Mints a key: 96 random bits of id, 256 of secret (Web Crypto), and the CRC32 of both.
 *
 * @example
 * const { id, key } = generateApiKey(); // id "key_3f2a...", key "rgw_3f2a..._Zk9...Q1x2Ab"
 */
export function generateApiKey(): NewApiKey {
  const idBytes = crypto.getRandomValues(new Uint8Array(12));
  const hex = [...idBytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  const body = `rgw_${hex}_${randomBase62(SECRET_CHARS)}`;
  return { id: `key_${hex}`, key: `${body}${checksumOf(body)}` };
}

/**
 * Classifies a bearer token by shape and checksum, without any I/O.
 *
 * @example
 * keyFormatOf(generateApiKey().key); // { kind: "key", id: "key_..." }
 * keyFormatOf("unused-locally");     // { kind: "foreign" }
 */
export function keyFormatOf(token: string): KeyFormat {
  const match = KEY_PATTERN.exec(token);
  if (match?.[1] && match[2] && match[3]) {
    const body = `rgw_${match[1]}_${match[2]}`;
    return checksumOf(body) === match[3]
      ? { kind: "key", id: `key_${match[1]}` }
      : { kind: "bad_checksum" };
  }
  const legacy = LEGACY_KEY_PATTERN.exec(token);
  if (legacy?.[1]) return { kind: "legacy", id: `key_${legacy[1]}` };
  return token.startsWith("rgw_") ? { kind: "bad_checksum" } : { kind: "foreign" };
}

/** The key id a well-formed key (current with a valid checksum, or legacy) names, or null. */
export function keyIdOf(key: string): string | null {
  const format = keyFormatOf(key);
  return format.kind === "key" || format.kind === "legacy" ? format.id : null;
}

/** Whether `id` has the shape of a key id (`key_` + 24 hex). */
export function isKeyId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** The stored form of a key: lowercase hex SHA-256 of the whole key string. */
export function hashApiKey(key: string): Promise<string> {
  return sha256Hex(key);
}

/** CRC32 (IEEE) of the key's body, in 6 base62 characters. */
function checksumOf(body: string): string {
  let n = crc32(new TextEncoder().encode(body));
  let out = "";
  for (let i = 0; i < CHECKSUM_CHARS; i++) {
    out = (BASE62[n % 62] ?? "0") + out;
    n = Math.floor(n / 62);
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** CRC-32/ISO-HDLC, the zlib and PNG one. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = (CRC_TABLE[(crc ^ b) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** `length` uniform base62 characters (rejection sampling keeps every character equally likely). */
function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length))) {
      // 248 = 4 * 62: bytes at or above it would favour the first characters.
      if (b < 248 && out.length < length) out += BASE62[b % 62] ?? "";
    }
  }
  return out;
}
