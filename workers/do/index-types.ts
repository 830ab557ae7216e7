// The shapes the INDEX Durable Object's RPC methods take and return, apart from the object so
// routes and caches can name them without importing the class.
import type { Metadata, MetadataFilter, RetrievedChunk } from "../../shared/rag/types.js";
import type { CacheState } from "../../shared/cache/cache-state.js";

export type { CacheState, CacheTierName } from "../../shared/cache/cache-state.js";

/** One stored document with its text, as `GET /v1/documents/:id` shows it. */
export interface DocumentRecord {
  id: string;
  title: string;
  source: string;
  metadata: Metadata;
  text: string;
  content_hash: string;
  embedding_model: string;
  chunks: number;
  created_at: string;
  updated_at: string;
}

/** What a client needs to decide whether to re-send a document: everything but the text. */
export interface DocumentSummary {
  id: string;
  content_hash: string;
  embedding_model: string;
  metadata: Metadata;
  chunks: number;
  updated_at: string;
}

/** What an object says of itself after a write, for reports of namespace sizes (see
 * shared/tenancy/index-reports): its counts and version, read in the write's own call. */
export interface IndexReport {
  documents: number;
  chunks: number;
  version: number;
  live: boolean;
  /** Its namespace's shard count as it records it. */
  shards: number;
}

/** What one upsert did to each document, and the index version after it. */
export interface UpsertResult {
  version: number;
  results: Array<{ id: string; status: "created" | "updated"; chunks: number }>;
  /** Set when `requireLive` was asked and the namespace is not live: nothing was written. */
  namespaceMissing?: true;
  /** The object's report after the write (absent when nothing was written). */
  report?: IndexReport;
}

export type SearchMode = "hybrid" | "dense" | "lexical";

export interface SearchParams {
  text: string;
  vector: ArrayBuffer | null;
  embeddingModel: string;
  k: number;
  filter?: MetadataFilter;
  mode: SearchMode;
  /** The answer-cache scope whose purge epochs the result carries. Default `shared`. */
  scope?: string;
}

export interface IndexStats {
  documents: number;
  chunks: number;
  version: number;
}

/** A search's hits, with the cache state they were read at (its version is the index's). */
export interface SearchResult {
  version: number;
  chunks: RetrievedChunk[];
  /** The index version and the scope's purge epochs, read in the same call. */
  state: CacheState;
  /**
   * Set when the caller's shard layout was refused (nothing was searched): the namespace's shard
   * count, or 0 for "ask the head". Returned, not thrown, since every isolate's first query of a
   * sharded namespace meets it, and a thrown error would log as the object's failure.
   */
  layoutRefused?: number;
}
