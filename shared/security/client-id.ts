// Anonymous callers are told apart by their IP, but an IP must never be recoverable from what is
// stored or logged. An unsalted hash of an IPv4 address is reversible by trying all 2^32, so the
// id is an HMAC-SHA-256 under a deployment secret instead.

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    // One deployment has one secret; the bound only guards against a misuse growing the map.
    if (keys.size >= 8) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

/**
 * A stable, non-reversible id for a client address: `anon_` + 24 hex of HMAC-SHA-256(secret, ip).
 *
 * @example
 * await anonymousPrincipalId(secret, "203.0.113.7"); // "anon_5c1f..."
 */
export async function anonymousPrincipalId(secret: string, ip: string): Promise<string> {
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret),
    encoder.encode(`ragway-anonymous:${ip}`),
  );
  const hex = [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `anon_${hex.slice(0, 24)}`;
}
