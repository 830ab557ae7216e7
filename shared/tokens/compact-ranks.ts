// Expands js-tiktoken's compact BPE ranks (base64 tokens in one string, cheap to load) into the
// rank table gpt-tokenizer's engine takes. Pure and allocation-lean: it runs on first use of the
// counter, inside a request, so it decodes all text tokens with a single TextDecoder call.

/** gpt-tokenizer's `RawBytePairRanks`: index = rank; the token's text, or its bytes if not text. */
export type RankTable = (string | number[])[];

const EQUALS = 0x3d;
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Expands js-tiktoken's `bpe_ranks` string (lines of `<label> <first rank> <base64 token>...`,
 * ranks counting up from the first) into a table identical to gpt-tokenizer's own rank module.
 * A token is stored as text when its bytes are valid UTF-8 that decodes back to the same bytes,
 * otherwise as its bytes: invalid UTF-8 (partial characters) and a leading U+FEFF, which
 * gpt-tokenizer's UTF-8 decoder would drop.
 *
 * @example
 * expandCompactRanks("! 0 IQ== 4oCZ 4oA=")[2]; // [226, 128] (an incomplete character)
 */
export function expandCompactRanks(compact: string): RankTable {
  const sextet = new Int8Array(128).fill(-1);
  for (let v = 0; v < BASE64.length; v++) sextet[BASE64.charCodeAt(v)] = v;
  sextet[EQUALS] = 0;
  const bytes = new Uint8Array(Math.ceil((compact.length * 3) / 4));
  // Every token takes at least 5 chars ("AA==" and a separator): size the scratch space for that.
  const ranks = new Int32Array(Math.ceil(compact.length / 5) + 1);
  const units = new Int32Array(ranks.length); // UTF-16 length of a text token, -1 for bytes
  let count = 0;
  const raw: number[][] = [];
  let written = 0;
  let i = 0;
  while (i < compact.length) {
    const lineEnd = endOf(compact, i, "\n");
    const labelEnd = endOf(compact, i, " ");
    const rankEnd = endOf(compact, labelEnd + 1, " ");
    const first = compact.slice(labelEnd + 1, Math.min(rankEnd, lineEnd));
    let rank = Number(first);
    if (labelEnd >= lineEnd || !/^\d{1,9}$/.test(first)) {
      throw new SyntaxError(`bad compact ranks line at offset ${i}`);
    }
    // Each token is padded base64, so it is whole quads: decode 4 chars to 3 bytes at a time.
    for (let end = (i = rankEnd + 1); i < lineEnd; i = end + 1, rank++) {
      end = Math.min(endOf(compact, i, " "), lineEnd);
      if ((end - i) % 4 !== 0) throw new SyntaxError(`bad base64 in ranks at offset ${i}`);
      const start = written;
      for (let q = i; q < end; q += 4) {
        const a = sextet[compact.charCodeAt(q)] ?? -1;
        const b = sextet[compact.charCodeAt(q + 1)] ?? -1;
        const c = sextet[compact.charCodeAt(q + 2)] ?? -1;
        const d = sextet[compact.charCodeAt(q + 3)] ?? -1;
        if ((a | b | c | d) < 0) throw new SyntaxError(`bad base64 in ranks at offset ${q}`);
        const bits = (a << 18) | (b << 12) | (c << 6) | d;
        bytes[written++] = bits >>> 16;
        bytes[written++] = (bits >>> 8) & 0xff;
        bytes[written++] = bits & 0xff;
      }
      // "=" decodes as 0 above; drop the padding bytes it stands for.
      if (compact.charCodeAt(end - 1) === EQUALS) {
        written -= compact.charCodeAt(end - 2) === EQUALS ? 2 : 1;
      }
      const length = textUnits(bytes, start, written);
      if (length < 0) {
        raw.push(Array.from(bytes.subarray(start, written)));
        written = start;
      }
      ranks[count] = rank;
      units[count++] = length;
    }
    i = lineEnd + 1;
  }
  // Concatenated valid UTF-8 decodes to the concatenation of its parts: one decode, then slices.
  const text = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(
    bytes.subarray(0, written),
  );
  const table: RankTable = new Array<string | number[]>(count); // holes only where ranks skip
  let at = 0;
  let next = 0;
  for (let k = 0; k < count; k++) {
    const rank = ranks[k] ?? -1;
    const length = units[k] ?? -1;
    const token = length < 0 ? raw[next++] : text.slice(at, (at += length));
    if (token === undefined) throw new Error("compact ranks expansion lost a token");
    table[rank] = token;
  }
  if (at !== text.length) throw new Error("compact ranks expansion lost text");
  return table;
}

function endOf(text: string, from: number, char: string): number {
  const at = text.indexOf(char, from);
  return at < 0 ? text.length : at;
}

/**
 * The UTF-16 length of `bytes[start, end)` as strict UTF-8 (no overlongs, surrogates or code
 * points past U+10FFFF, as gpt-tokenizer checks), or -1 if invalid or led by U+FEFF.
 */
function textUnits(bytes: Uint8Array, start: number, end: number): number {
  const bom = end - start >= 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb;
  if (bom && bytes[start + 2] === 0xbf) return -1;
  let units = 0;
  for (let i = start; i < end;) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      i++;
      units++;
      continue;
    }
    const size = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : 4;
    if (size === 4 && (lead < 0xf0 || lead > 0xf4)) return -1;
    if (i + size > end) return -1;
    let point = lead & (0xff >> (size + 1));
    for (let k = 1; k < size; k++) {
      const next = bytes[i + k] ?? 0;
      if ((next & 0xc0) !== 0x80) return -1;
      point = (point << 6) | (next & 0x3f);
    }
    const min = size === 2 ? 0x80 : size === 3 ? 0x800 : 0x10000;
    if (point < min || (point >= 0xd800 && point <= 0xdfff) || point > 0x10ffff) return -1;
    i += size;
    units += size === 4 ? 2 : 1;
  }
  return units;
}
