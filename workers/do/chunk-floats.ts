// The exact half of dense search in the INDEX object: the float vectors of a query's re-rank
// candidates, read from SQLite in one statement. The rowids travel as one JSON parameter, so the
// 100-bound-parameter limit does not cap the re-rank depth.
import type { LoadFloats } from "../../shared/search/dense-search.js";
import { bytesToFloat32 } from "../../shared/vector/vector.js";

/** A {@link LoadFloats} port over the chunks table: one SELECT per call, results in `ids` order. */
export function chunkFloatLoader(sql: SqlStorage): LoadFloats {
  return (ids) => {
    if (ids.length === 0) return [];
    const byRowid = new Map<number, Float32Array>();
    const rows = sql.exec<{ rowid: number; vector: ArrayBuffer }>(
      "SELECT rowid, vector FROM chunks WHERE rowid IN (SELECT value FROM json_each(?))",
      JSON.stringify(ids),
    );
    for (const row of rows) {
      if (row.vector.byteLength % 4 === 0) byRowid.set(row.rowid, bytesToFloat32(row.vector));
    }
    return ids.map((id) => byRowid.get(id) ?? null);
  };
}
