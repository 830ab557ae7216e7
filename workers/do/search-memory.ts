// What the INDEX object keeps in its heap between searches: one embedding model's vectors in one
// contiguous Float32Array, and every document's title, source and metadata. Both are rebuilt from
// SQLite after any write (`invalidate`), so the heap is a cache, never the source of truth.
import type { Metadata } from "../../shared/rag/types.js";
import { bytesToFloat32 } from "../../shared/vector/vector.js";

/** One embedding model's vectors, row by row, with their chunk rowids and document ids. */
export interface LoadedVectors {
  model: string;
  dims: number;
  rowids: number[];
  docIds: string[];
  data: Float32Array;
}

/** A document's fields that search results carry and filters read. */
export interface DocMeta {
  title: string;
  source: string;
  metadata: Metadata;
}

/** The heap caches of one INDEX object. */
export class SearchMemory {
  private vectors: LoadedVectors | null = null;
  private docMeta: Map<string, DocMeta> | null = null;

  constructor(private readonly sql: SqlStorage) {}

  /** Vectors of one embedding model and length, loaded on first use after a write. */
  vectorsOf(model: string, dims: number): LoadedVectors {
    if (this.vectors && this.vectors.model === model && this.vectors.dims === dims) {
      return this.vectors;
    }
    const rows = this.sql
      .exec<{ rowid: number; doc_id: string; vector: ArrayBuffer }>(
        `SELECT chunks.rowid AS rowid, chunks.doc_id AS doc_id, chunks.vector AS vector
         FROM chunks JOIN documents ON documents.id = chunks.doc_id
         WHERE documents.embedding_model = ? ORDER BY chunks.rowid`,
        model,
      )
      .toArray();
    const usable = rows.filter((r) => r.vector.byteLength === dims * 4);
    const data = new Float32Array(usable.length * dims);
    usable.forEach((r, i) => data.set(bytesToFloat32(r.vector), i * dims));
    this.vectors = {
      model,
      dims,
      rowids: usable.map((r) => r.rowid),
      docIds: usable.map((r) => r.doc_id),
      data,
    };
    return this.vectors;
  }

  /** Every document's title, source and metadata, by id. */
  docMetaById(): Map<string, DocMeta> {
    if (this.docMeta) return this.docMeta;
    const map = new Map<string, DocMeta>();
    const rows = this.sql
      .exec<{
        id: string;
        title: string;
        source: string;
        metadata: string;
      }>("SELECT id, title, source, metadata FROM documents")
      .toArray();
    for (const r of rows) {
      map.set(r.id, {
        title: r.title,
        source: r.source,
        metadata: JSON.parse(r.metadata) as Metadata,
      });
    }
    this.docMeta = map;
    return map;
  }

  /** Forgets both caches: call after every write. */
  invalidate(): void {
    this.vectors = null;
    this.docMeta = null;
  }
}
