// FTS5's own collection statistics, read from its "averages" record: the row with id 1 of the
// `<table>_data` shadow table holds the row count and each column's total token count as SQLite
// varints. A shard reports these for the BM25 merge; they are exactly what its bm25() uses.

/** Rows in an FTS5 table and the tokens of each column over all rows. */
export interface Fts5Averages {
  rows: number;
  columnTokens: number[];
}

/**
 * Parses the averages record (`SELECT block FROM chunks_fts_data WHERE id = 1`). An empty or
 * missing record (an empty table) is zero rows. Throws a RangeError on a truncated varint.
 *
 * @example
 * parseFts5Averages(Uint8Array.from([0x05, 0x26, 0x09])); // { rows: 5, columnTokens: [38, 9] }
 */
export function parseFts5Averages(
  block: ArrayBuffer | Uint8Array | null | undefined,
): Fts5Averages {
  const bytes = block instanceof Uint8Array ? block : new Uint8Array(block ?? new ArrayBuffer(0));
  const values: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const [value, next] = readVarint(bytes, i);
    values.push(value);
    i = next;
  }
  const [rows = 0, ...columnTokens] = values;
  return { rows, columnTokens };
}

/** A SQLite varint: up to 8 bytes of 7 bits (high bit = more follows), then one of 8 bits. */
function readVarint(bytes: Uint8Array, start: number): [number, number] {
  let value = 0;
  for (let n = 0; n < 9; n++) {
    const byte = bytes[start + n];
    if (byte === undefined) throw new RangeError("parseFts5Averages: truncated varint");
    if (n === 8) return [value * 256 + byte, start + 9];
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) return [value, start + n + 1];
  }
  return [value, start + 9];
}
