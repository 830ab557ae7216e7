// What the INDEX object keeps in its heap between searches: per embedding model, the binary codes
// of its chunk vectors (one bit per dimension plus two floats, not the floats themselves, which
// stay in SQLite for the exact re-rank), and every document's title, source and metadata. Each is
// loaded from SQLite once, on first use, and then kept in step by the writes (DocumentStore calls
// the hooks below after its transaction commits), so a write costs work in proportion to what it
// changed and never a reload. SQLite stays the source of truth: if a hook fails, the heap is
// dropped and the next search loads it again.
import type { Metadata } from "../../shared/rag/types.js";
import type { BinaryVectorIndex } from "../../shared/search/binary-vector-index.js";
import { bytesToFloat32 } from "../../shared/vector/vector.js";
import { createLogger } from "../log.js";
import { buildDenseIndex } from "./dense-index-build.js";

const log = createLogger({ component: "index-object" });

/** A document's fields that search results carry and filters read. */
export interface DocMeta {
  /** The id, held once: the dense indexes use this same string as each chunk's group. */
  id: string;
  title: string;
  source: string;
  metadata: Metadata;
}

/** What one committed upsert of a document changed: its fields, old chunks and new chunks. */
export interface DocumentWrite {
  doc: DocMeta & { embeddingModel: string };
  /** Rowids of the chunks the write deleted (the document's previous version). */
  removedRowids: readonly number[];
  /** The new chunks' rowids and float32 vectors. */
  chunks: ReadonlyArray<{ rowid: number; vector: ArrayBuffer }>;
}

/** The heap state of one INDEX object, and the write hooks that keep it current. */
export class SearchMemory {
  private docMeta: Map<string, DocMeta> | null = null;
  /** Binary indexes by `${dims}:${model}`; absent until the first dense search of that pair. */
  private readonly dense = new Map<string, BinaryVectorIndex>();
  private loads = 0;

  constructor(private readonly sql: SqlStorage) {}

  /** How many full loads from SQLite ran (document fields, or a model's vectors): writes add none. */
  get fullLoads(): number {
    return this.loads;
  }

  /** Every document's title, source and metadata, by id; loaded once. */
  docMetaById(): Map<string, DocMeta> {
    if (this.docMeta) return this.docMeta;
    this.loads += 1;
    const map = new Map<string, DocMeta>();
    const rows = this.sql.exec<{ id: string; title: string; source: string; metadata: string }>(
      "SELECT id, title, source, metadata FROM documents",
    );
    for (const r of rows) {
      map.set(r.id, {
        id: r.id,
        title: r.title,
        source: r.source,
        metadata: JSON.parse(r.metadata) as Metadata,
      });
    }
    this.docMeta = map;
    return map;
  }

  /**
   * The binary index of `model`'s vectors of length `dims`, built by streaming them from SQLite
   * on first use; null while there are none (tried again on the next search).
   */
  denseIndex(model: string, dims: number): BinaryVectorIndex | null {
    if (!Number.isInteger(dims) || dims < 1) return null;
    const key = denseKey(model, dims);
    const held = this.dense.get(key);
    if (held) return held;
    const docs = this.docMetaById();
    const built = buildDenseIndex(this.sql, model, dims, (id) => docs.get(id)?.id ?? id);
    if (!built) return null;
    this.loads += 1;
    this.dense.set(key, built);
    return built;
  }

  /** Chunk codes held over every model, and their resident bytes (see BinaryVectorIndex). */
  denseResident(): { codes: number; bytes: number } {
    let codes = 0;
    let bytes = 0;
    for (const index of this.dense.values()) {
      codes += index.size;
      bytes += index.residentBytes();
    }
    return { codes, bytes };
  }

  /** Applies a committed upsert: old chunks out of every index, new ones into their model's. */
  documentWritten(write: DocumentWrite): void {
    this.safely(() => {
      const { doc } = write;
      this.removeRowids(write.removedRowids);
      this.docMeta?.set(doc.id, {
        id: doc.id,
        title: doc.title,
        source: doc.source,
        metadata: doc.metadata,
      });
      for (const chunk of write.chunks) {
        const index = this.dense.get(denseKey(doc.embeddingModel, chunk.vector.byteLength / 4));
        index?.upsert(chunk.rowid, doc.id, bytesToFloat32(chunk.vector));
      }
    });
  }

  /** Applies a committed delete of document `id` and its chunks `removedRowids`. */
  documentDeleted(id: string, removedRowids: readonly number[]): void {
    this.safely(() => {
      this.removeRowids(removedRowids);
      this.docMeta?.delete(id);
    });
  }

  /** Forgets everything held: after the index was emptied, or when a hook could not apply. */
  clear(): void {
    this.docMeta = null;
    this.dense.clear();
  }

  private removeRowids(rowids: readonly number[]): void {
    for (const index of this.dense.values()) {
      for (const rowid of rowids) index.delete(rowid);
    }
  }

  /** Runs a hook; on failure drops the heap, so no search ever reads a half-applied write. */
  private safely(apply: () => void): void {
    try {
      apply();
    } catch (err) {
      log.error("search_memory_dropped", {
        reason: err instanceof Error ? err.message : String(err),
      });
      this.clear();
    }
  }
}

function denseKey(model: string, dims: number): string {
  return `${dims}:${model}`;
}
