// API keys: `rgw_<24 hex id>_<43 base64url secret>`. The key carries its own principal id, so a
// request finds its LIMITER object without any lookup (no KV propagation delay for new keys),
// and the object holds only the SHA-256 of the whole key to check it against.
import { sha256Hex } from "../util/hash.js";

const KEY_PATTERN = /^rgw_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;
const ID_PATTERN = /^key_[0-9a-f]{24}$/;

/** A freshly minted key: its public id and the secret to show once. */
export interface NewApiKey {
  id: string;
  key: string;
}

/**
 * Mints a key: 96 random bits of id and 256 of secret (Web Crypto).
 *
 * @example
 * const { id, key } = generateApiKey(); // id "key_3f2a...", key "rgw_3f2a..._Zk9..."
 */
export function generateApiKey(): NewApiKey {
  const idBytes = crypto.getRandomValues(new Uint8Array(12));
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const hex = [...idBytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return { id: `key_${hex}`, key: `rgw_${hex}_${base64url(secret)}` };
}

/** The key id a well-formed key names, or null for anything else. */
export function keyIdOf(key: string): string | null {
  const match = KEY_PATTERN.exec(key);
  return match?.[1] ? `key_${match[1]}` : null;
}

/** Whether `id` has the shape of a key id (`key_` + 24 hex). */
export function isKeyId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** The stored form of a key: lowercase hex SHA-256 of the whole key string. */
export function hashApiKey(key: string): Promise<string> {
  return sha256Hex(key);
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
