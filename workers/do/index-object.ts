// INDEX Durable Object: one document index on SQLite storage (today the one named "main"; one
// object per namespace next). The class is the RPC surface only: documents live in
// DocumentStore, search in hybridSearch over the heap caches of SearchMemory, the version in
// index-version, purge epochs in purge-epochs, the document listing in list-documents. Every
// write invalidates the heap caches.
import { DurableObject } from "cloudflare:workers";
import type { StoredDocument } from "../../shared/rag/types.js";
import type { CacheState, CacheTierName } from "../../shared/cache/cache-state.js";
import { DocumentStore } from "./document-store.js";
import { hybridSearch } from "./hybrid-search.js";
import { applyIndexSchema } from "./index-schema.js";
import { listDocumentPage, type DocumentPage, type ListDocumentsParams } from "./list-documents.js";
import type {
  DocumentRecord,
  DocumentSummary,
  IndexStats,
  SearchParams,
  SearchResult,
  UpsertResult,
} from "./index-types.js";
import { bumpEpochs, readCacheState } from "./purge-epochs.js";
import { SearchMemory } from "./search-memory.js";
import { claimSeed } from "./seed-claim.js";

export type * from "./index-types.js";
export { ALL_SCOPES } from "./purge-epochs.js";

export class IndexObject extends DurableObject<Env> {
  private readonly documents: DocumentStore;
  private readonly memory: SearchMemory;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    applyIndexSchema(ctx.storage.sql);
    this.documents = new DocumentStore(ctx.storage);
    this.memory = new SearchMemory(ctx.storage.sql);
  }

  /** Content hashes of the given ids (absent ids are omitted): lets callers skip unchanged docs. */
  hashes(ids: string[]): Record<string, { contentHash: string; embeddingModel: string }> {
    return this.documents.hashes(ids);
  }

  /** Summaries of the given ids that exist, without their text. */
  lookup(ids: string[]): DocumentSummary[] {
    return this.documents.lookup(ids);
  }

  /** Inserts or replaces documents and their chunks in one transaction; returns the new version. */
  upsert(docs: StoredDocument[]): UpsertResult {
    const result = this.documents.upsert(docs);
    this.memory.invalidate();
    return result;
  }

  /** Deletes a document and its chunks; false when it did not exist. */
  deleteDocument(id: string): { deleted: boolean; version: number } {
    const result = this.documents.delete(id);
    if (result.deleted) this.memory.invalidate();
    return result;
  }

  /** One document with its text and chunk count, or null. */
  getDocument(id: string): DocumentRecord | null {
    return this.documents.get(id);
  }

  /** A page of documents without their text, in id order (see {@link listDocumentPage}). */
  listDocuments(params: ListDocumentsParams): DocumentPage {
    return listDocumentPage(this.ctx.storage.sql, params);
  }

  /** Document and chunk counts, and the version. */
  stats(): IndexStats {
    return this.documents.stats();
  }

  /** The index version and the purge epochs of `scope`: one small indexed read. */
  cacheState(scope: string): CacheState {
    return readCacheState(this.ctx.storage.sql, scope);
  }

  /** Purges answer caches of `scope` (`ALL_SCOPES` for all) in `tiers`; returns the new state. */
  bumpCacheEpochs(scope: string, tiers: CacheTierName[]): CacheState {
    bumpEpochs(this.ctx.storage, scope, tiers);
    return readCacheState(this.ctx.storage.sql, scope);
  }

  /** True once: when the index has never been seeded and is empty. */
  claimSeed(): boolean {
    return claimSeed(this.ctx.storage);
  }

  /**
   * Hybrid search, with the cache state of `params.scope` read in the same call, so a cache
   * miss's own search refreshes what its isolate knows of the version and purge epochs.
   */
  search(params: SearchParams): SearchResult {
    const chunks = hybridSearch(this.ctx.storage.sql, this.memory, params);
    const state = readCacheState(this.ctx.storage.sql, params.scope ?? "shared");
    return { version: state.version, chunks, state };
  }
}
