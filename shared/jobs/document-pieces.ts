// A job's prepared document as its JOBS object stores it. SQLite-backed Durable Objects refuse a
// string or BLOB (and a row) over 2 MB, and a document the synchronous path accepts can serialise
// past that: its JSON escapes a control character as six bytes (500,000 characters of text can
// become 3 MB). Such a document is kept as its JSON's UTF-8 bytes cut into pieces of at most
// PIECE_BYTES, one row each, and joined back in order when the consumer reads it. Cutting bytes
// (not characters) may split a multi-byte character between two pieces: only the joined whole
// is decoded.

/** Most bytes of a document kept in one row: half the platform's 2 MB row limit, so the other
 * columns of the row never push it over. */
export const PIECE_BYTES = 1_000_000;

/** UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_PER_UNIT = 3;

/**
 * `json` whole when its UTF-8 form fits in `maxBytes`, else its UTF-8 bytes in pieces of at most
 * `maxBytes`, in order.
 *
 * @example
 * splitForRows('{"text":"short"}');          // '{"text":"short"}'
 * splitForRows(hugeJson).length;             // 3 (pieces of 1,000,000 bytes or fewer)
 */
export function splitForRows(json: string, maxBytes: number = PIECE_BYTES): string | Uint8Array[] {
  if (!(Number.isInteger(maxBytes) && maxBytes >= 1)) {
    throw new RangeError("maxBytes must be a positive integer");
  }
  // Most documents are far below the limit: no need to encode them to know.
  if (json.length * MAX_UTF8_PER_UNIT <= maxBytes) return json;
  const bytes = new TextEncoder().encode(json);
  if (bytes.length <= maxBytes) return json;
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += maxBytes) pieces.push(bytes.slice(at, at + maxBytes));
  return pieces;
}

/**
 * The text `splitForRows` cut into `pieces` (given in order). Throws on bytes that are not
 * UTF-8 rather than handing on a document with replacement characters in it.
 *
 * @example
 * joinPieces(splitForRows(hugeJson) as Uint8Array[]) === hugeJson; // true
 */
export function joinPieces(pieces: Uint8Array[]): string {
  let length = 0;
  for (const p of pieces) length += p.length;
  const whole = new Uint8Array(length);
  let at = 0;
  for (const p of pieces) {
    whole.set(p, at);
    at += p.length;
  }
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(whole);
}
