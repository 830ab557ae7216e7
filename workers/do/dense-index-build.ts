// Builds one embedding model's binary index from the INDEX object's SQLite storage, streaming the
// float vectors through a cursor so the whole float set is never in the heap at once. The codes
// depend on a fixed centre (see binary-vector-index.ts), taken as the mean of the first
// CENTER_SAMPLE vectors in rowid order: only those are buffered before encoding starts.
import { BinaryVectorIndex } from "../../shared/search/binary-vector-index.js";
import { bytesToFloat32 } from "../../shared/vector/vector.js";

/** Vectors averaged for the centre (~6 MB buffered at 1,536 dimensions, once per build). */
export const CENTER_SAMPLE = 1000;

/** Maps a document id read from SQLite to the copy the heap already holds (shares the string). */
export type InternId = (docId: string) => string;

/**
 * The binary index of every chunk stored under `model` whose vector has `dims` floats, or null
 * when there is none yet (the centre needs vectors; a later search builds it). Rows of another
 * length are left out, as an exact scan would have to skip them.
 */
export function buildDenseIndex(
  sql: SqlStorage,
  model: string,
  dims: number,
  intern: InternId,
): BinaryVectorIndex | null {
  const bytes = dims * 4;
  const count = sql
    .exec<{ n: number }>(
      `SELECT COUNT(*) AS n FROM chunks JOIN documents ON documents.id = chunks.doc_id
       WHERE documents.embedding_model = ? AND length(chunks.vector) = ?`,
      model,
      bytes,
    )
    .one().n;
  if (count === 0) return null;
  const cursor = sql.exec<{ rowid: number; doc_id: string; vector: ArrayBuffer }>(
    `SELECT chunks.rowid AS rowid, chunks.doc_id AS doc_id, chunks.vector AS vector
     FROM chunks JOIN documents ON documents.id = chunks.doc_id
     WHERE documents.embedding_model = ? AND length(chunks.vector) = ? ORDER BY chunks.rowid`,
    model,
    bytes,
  );
  // Room for a quarter more than today, so the first writes after a build do not double it.
  const initialCapacity = Math.max(1024, Math.ceil(count * 1.25));
  const head: Array<{ rowid: number; group: string; vector: Float32Array }> = [];
  let index: BinaryVectorIndex | null = null;
  for (const row of cursor) {
    const group = intern(row.doc_id);
    const vector = bytesToFloat32(row.vector);
    if (index) {
      index.upsert(row.rowid, group, vector);
      continue;
    }
    head.push({ rowid: row.rowid, group, vector });
    if (head.length === CENTER_SAMPLE) index = startIndex(dims, head, initialCapacity);
  }
  return index ?? startIndex(dims, head, initialCapacity);
}

/** A new index centred on the mean of `head`, holding `head`'s vectors. */
function startIndex(
  dims: number,
  head: Array<{ rowid: number; group: string; vector: Float32Array }>,
  initialCapacity: number,
): BinaryVectorIndex | null {
  if (head.length === 0) return null;
  const center = new Float32Array(dims);
  for (const { vector } of head) {
    for (let d = 0; d < dims; d++) center[d] = (center[d] ?? 0) + (vector[d] ?? 0);
  }
  for (let d = 0; d < dims; d++) center[d] = (center[d] ?? 0) / head.length;
  const index = new BinaryVectorIndex({ dims, center, initialCapacity });
  for (const { rowid, group, vector } of head) index.upsert(rowid, group, vector);
  head.length = 0;
  return index;
}
