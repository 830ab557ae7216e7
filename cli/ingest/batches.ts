// Packs documents into upload batches within the server's limits: at most 100 documents and a
// body under the 10 MB ingest limit (measured as the JSON bytes actually sent, with headroom).

/** `POST /v1/documents` limits (workers/routes/documents.ts, shared/api/schemas.ts). */
export const SERVER_MAX_DOCUMENTS = 100;
export const SERVER_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Room left for the `{"documents":[...]}` envelope and separators. */
const ENVELOPE_BYTES = 64 * 1024;

export interface BatchLimits {
  maxDocuments: number;
  maxBytes: number;
}

export const DEFAULT_LIMITS: BatchLimits = {
  maxDocuments: SERVER_MAX_DOCUMENTS,
  maxBytes: SERVER_MAX_BODY_BYTES - ENVELOPE_BYTES,
};

/** The bytes a document adds to a request body. */
export function documentBytes(doc: unknown): number {
  return Buffer.byteLength(JSON.stringify(doc)) + 1;
}

/**
 * Accumulates documents and hands out full batches; `flush` returns what is left.
 * A document larger than `maxBytes` on its own still gets a batch of one (the server decides).
 */
export class BatchPacker<T> {
  private current: T[] = [];
  private bytes = 0;

  constructor(private readonly limits: BatchLimits) {}

  /** Adds a document; returns a batch when adding it filled one. */
  add(doc: T): T[] | null {
    const size = documentBytes(doc);
    let full: T[] | null = null;
    if (this.current.length > 0 && this.bytes + size > this.limits.maxBytes) {
      full = this.take();
    }
    this.current.push(doc);
    this.bytes += size;
    if (!full && this.current.length >= this.limits.maxDocuments) full = this.take();
    return full;
  }

  /** Whatever is pending, as a final batch (null when empty). */
  flush(): T[] | null {
    return this.current.length > 0 ? this.take() : null;
  }

  private take(): T[] {
    const batch = this.current;
    this.current = [];
    this.bytes = 0;
    return batch;
  }
}
