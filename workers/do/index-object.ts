// INDEX Durable Object: one namespace's document index on SQLite storage (`default` is the object
// named "main", every other namespace `ns:<name>`). The class is the RPC surface only: documents
// live in DocumentStore, search in hybridSearch over the heap caches of SearchMemory, the version
// in index-version, the document and chunk counts in index-counts, purge epochs in purge-epochs,
// the document listing in list-documents, the namespace's liveness in namespace-lifecycle, its
// place in a sharded namespace in shard-role.
// Writes keep SearchMemory current through DocumentStore's write hooks. Methods a sharded
// namespace calls take the layout their caller assumes and refuse any other (see shard-role).
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
  IndexReport,
  IndexStats,
  SearchParams,
  SearchResult,
  UpsertResult,
} from "./index-types.js";
import { bumpEpochs, readCacheState } from "./purge-epochs.js";
import { SearchMemory } from "./search-memory.js";
import { claimSeed } from "./seed-claim.js";
import { searchShard, type ShardCandidates } from "./shard-search.js";
import {
  checkShardLayout,
  layoutRefusal,
  recordShardAcks,
  recordShardRole,
  shardAcks,
  shardRole,
  type ShardLayoutClaim,
} from "./shard-role.js";

export type * from "./index-types.js";
export type { ShardLayoutClaim } from "./shard-role.js";

/** One shard's search answer: its candidates and its own version (see searchShard). */
export interface ShardSearchAnswer extends ShardCandidates {
  /** This object's own version, read with the candidates. */
  version: number;
  /** From the head only: the namespace's cache state and the shard versions it has counted. */
  head?: { state: CacheState; acks: Record<string, number> };
}

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
  hashes(
    ids: string[],
    layout?: ShardLayoutClaim,
  ): Record<string, { contentHash: string; embeddingModel: string }> {
    this.checkLayout(layout);
    return this.documents.hashes(ids);
  }

  /** Summaries of the given ids that exist, without their text. */
  lookup(ids: string[], layout?: ShardLayoutClaim): DocumentSummary[] {
    this.checkLayout(layout);
    return this.documents.lookup(ids);
  }

  /**
   * Inserts or replaces documents and their chunks in one transaction; returns the new version.
   * With `requireLive`, writes nothing (and says so) unless the namespace is live, so a write
   * racing a namespace's deletion cannot bring documents back into it.
   */
  upsert(
    docs: StoredDocument[],
    options: { requireLive?: boolean; layout?: ShardLayoutClaim } = {},
  ): UpsertResult {
    this.checkLayout(options.layout);
    if (options.requireLive && !namespaceState(this.ctx.storage.sql).live) {
      return {
        version: currentVersion(this.ctx.storage.sql),
        results: [],
        namespaceMissing: true,
      };
    }
    return { ...this.documents.upsert(docs), report: this.report() };
  }

  /** Deletes a document and its chunks; false when it did not exist. */
  deleteDocument(
    id: string,
    layout?: ShardLayoutClaim,
  ): { deleted: boolean; version: number; report?: IndexReport } {
    this.checkLayout(layout);
    const result = this.documents.delete(id);
    return result.deleted ? { ...result, report: this.report() } : result;
  }

  /** One document with its text and chunk count, or null. */
  getDocument(id: string, layout?: ShardLayoutClaim): DocumentRecord | null {
    this.checkLayout(layout);
    return this.documents.get(id);
  }

  /** A page of documents without their text, in id order (see {@link listDocumentPage}). */
  listDocuments(params: ListDocumentsParams, layout?: ShardLayoutClaim): DocumentPage {
    this.checkLayout(layout);
    return listDocumentPage(this.ctx.storage.sql, params);
  }

  /** Document and chunk counts, and the version. */
  stats(layout?: ShardLayoutClaim): IndexStats {
    this.checkLayout(layout);
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

  /**
   * Marks this object's namespace created, as shard `layout.shard` of `layout.shards` (default:
   * the head of one); false when it already was live (its layout then stays as it was).
   */
  createNamespace(layout: ShardLayoutClaim = { shards: 1, shard: 0 }): {
    created: boolean;
    createdAt: number | null;
    report: IndexReport;
  } {
    const sql = this.ctx.storage.sql;
    const created = this.ctx.storage.transactionSync(() => {
      const made = markCreated(sql, Date.now());
      if (made) recordShardRole(sql, layout);
      return made;
    });
    return { created, createdAt: namespaceState(sql).createdAt, report: this.report() };
  }

  /**
   * Makes this object shard `layout.shard` (> 0) of a namespace its head has just created: empty,
   * live, with that layout, whatever it held before (a half-finished deletion of an older layout).
   */
  joinNamespace(layout: ShardLayoutClaim): { version: number; report: IndexReport } {
    const sql = this.ctx.storage.sql;
    const version = this.ctx.storage.transactionSync(() => {
      dropContents(sql);
      markCreated(sql, Date.now());
      recordShardRole(sql, layout);
      return bumpVersion(sql);
    });
    this.memory.clear();
    return { version, report: this.report() };
  }

  /**
   * The head's half of a write to other shards, once they committed it: records their versions
   * and moves the namespace version on, in one transaction; returns its report, with the new
   * version.
   */
  acknowledgeShardWrites(acks: Record<string, number>, layout?: ShardLayoutClaim): IndexReport {
    this.checkLayout(layout);
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      recordShardAcks(sql, acks);
      bumpVersion(sql);
    });
    return this.report();
  }

  /** Deletes every document and marks the namespace deleted; the version moves on. */
  deleteNamespace(): { documents: number; version: number; report: IndexReport } {
    const sql = this.ctx.storage.sql;
    const result = this.ctx.storage.transactionSync(() => {
      const documents = dropContents(sql);
      return { documents, version: bumpVersion(sql) };
    });
    // The rows went behind DocumentStore's back: drop the codes and per-document data with them.
    this.memory.clear();
    return { ...result, report: this.report() };
  }

  /** Whether the namespace is live, when it was created, its counts and its shard count: this
   * object's report, with the creation time. */
  namespaceInfo(): NamespaceInfo & IndexReport {
    const sql = this.ctx.storage.sql;
    return { ...namespaceState(sql), ...this.report() };
  }

  /** True once: when the index has never been seeded and is empty. */
  claimSeed(): boolean {
    return claimSeed(this.ctx.storage);
  }

  /**
   * Hybrid search, with the cache state of `params.scope` read in the same call, so a cache
   * miss's own search refreshes what its isolate knows of the version and purge epochs.
   */
  search(params: SearchParams, layout?: ShardLayoutClaim): SearchResult {
    const refused = layout
      ? layoutRefusal(this.ctx.storage.sql, layout, namespaceState(this.ctx.storage.sql).live)
      : null;
    if (refused !== null) {
      const state = this.stateOf(params.scope ?? "shared");
      return { version: state.version, chunks: [], state, layoutRefused: refused };
    }
    const chunks = hybridSearch(this.ctx.storage.sql, this.memory, params);
    const state = this.stateOf(params.scope ?? "shared");
    return { version: state.version, chunks, state };
  }

  /**
   * This shard's candidates for a sharded query (merged by the caller), with its own version; the
   * head adds the namespace's cache state and the shard versions its version has counted, all
   * read in the same synchronous call as the candidates.
   */
  searchShard(params: SearchParams, layout: ShardLayoutClaim): ShardSearchAnswer {
    this.checkLayout(layout);
    const sql = this.ctx.storage.sql;
    const found = searchShard(sql, this.memory, params);
    const version = currentVersion(sql);
    if (layout.shard !== 0) return { ...found, version };
    return {
      ...found,
      version,
      head: { state: this.stateOf(params.scope ?? "shared"), acks: shardAcks(sql) },
    };
  }

  /** This object's counts, version, liveness and shard count (a few rows of `meta`). */
  private report(): IndexReport {
    const sql = this.ctx.storage.sql;
    return {
      ...this.documents.stats(),
      live: namespaceState(sql).live,
      shards: shardRole(sql).shards,
    };
  }

  private checkLayout(layout: ShardLayoutClaim | undefined): void {
    if (!layout) return;
    const sql = this.ctx.storage.sql;
    checkShardLayout(sql, layout, namespaceState(sql).live);
  }

  /** The cache state of `scope` with the namespace's liveness, which answers carry with it. */
  private stateOf(scope: string): CacheState {
    const { live } = namespaceState(this.ctx.storage.sql);
    return { ...readCacheState(this.ctx.storage.sql, scope), live };
  }
}
