// INDEX Durable Object: one namespace's document index on SQLite storage (`default` is the object
// named "main", every other namespace `ns:<name>`). The class is the RPC surface only: documents
// live in DocumentStore, search in hybridSearch over the heap caches of SearchMemory, the version
// in index-version, purge epochs in purge-epochs, the document listing in list-documents, the
// namespace's liveness in namespace-lifecycle. Writes keep SearchMemory current through
// DocumentStore's write hooks.
import { DurableObject } from "cloudflare:workers";
import type { StoredDocument } from "../../shared/rag/types.js";
import type { CacheState, CacheTierName } from "../../shared/cache/cache-state.js";
import { DocumentStore } from "./document-store.js";
import { hybridSearch } from "./hybrid-search.js";
import { applyIndexSchema } from "./index-schema.js";
import { bumpVersion, currentVersion } from "./index-version.js";
import { listDocumentPage, type DocumentPage, type ListDocumentsParams } from "./list-documents.js";
import {
  dropContents,
  markCreated,
  namespaceState,
  type NamespaceInfo,
} from "./namespace-lifecycle.js";
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
    this.memory = new SearchMemory(ctx.storage.sql);
    this.documents = new DocumentStore(ctx.storage, this.memory);
  }

  /** Content hashes of the given ids (absent ids are omitted): lets callers skip unchanged docs. */
  hashes(ids: string[]): Record<string, { contentHash: string; embeddingModel: string }> {
    return this.documents.hashes(ids);
  }

  /** Summaries of the given ids that exist, without their text. */
  lookup(ids: string[]): DocumentSummary[] {
    return this.documents.lookup(ids);
  }

  /**
   * Inserts or replaces documents and their chunks in one transaction; returns the new version.
   * With `requireLive`, writes nothing (and says so) unless the namespace is live, so a write
   * racing a namespace's deletion cannot bring documents back into it.
   */
  upsert(docs: StoredDocument[], options: { requireLive?: boolean } = {}): UpsertResult {
    if (options.requireLive && !namespaceState(this.ctx.storage.sql).live) {
      return {
        version: currentVersion(this.ctx.storage.sql),
        results: [],
        namespaceMissing: true,
      };
    }
    return this.documents.upsert(docs);
  }

  /** Deletes a document and its chunks; false when it did not exist. */
  deleteDocument(id: string): { deleted: boolean; version: number } {
    return this.documents.delete(id);
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

  /** The index version, the purge epochs of `scope` and the namespace's liveness: small reads. */
  cacheState(scope: string): CacheState {
    return this.stateOf(scope);
  }

  /** Purges answer caches of `scope` (`ALL_SCOPES` for all) in `tiers`; returns the new state. */
  bumpCacheEpochs(scope: string, tiers: CacheTierName[]): CacheState {
    bumpEpochs(this.ctx.storage, scope, tiers);
    return this.stateOf(scope);
  }

  /** Marks this object's namespace created; false when it already was. */
  createNamespace(): { created: boolean; createdAt: number | null } {
    const sql = this.ctx.storage.sql;
    const created = this.ctx.storage.transactionSync(() => markCreated(sql, Date.now()));
    return { created, createdAt: namespaceState(sql).createdAt };
  }

  /** Deletes every document and marks the namespace deleted; the version moves on. */
  deleteNamespace(): { documents: number; version: number } {
    const sql = this.ctx.storage.sql;
    const result = this.ctx.storage.transactionSync(() => {
      const documents = dropContents(sql);
      return { documents, version: bumpVersion(sql) };
    });
    // The rows went behind DocumentStore's back: drop the codes and per-document data with them.
    this.memory.clear();
    return result;
  }

  /** Whether the namespace is live, when it was created, and its counts. */
  namespaceInfo(): NamespaceInfo {
    return { ...namespaceState(this.ctx.storage.sql), ...this.stats() };
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
    const state = this.stateOf(params.scope ?? "shared");
    return { version: state.version, chunks, state };
  }

  /** The cache state of `scope` with the namespace's liveness, which answers carry with it. */
  private stateOf(scope: string): CacheState {
    const { live } = namespaceState(this.ctx.storage.sql);
    return { ...readCacheState(this.ctx.storage.sql, scope), live };
  }
}
