// Document and retrieval types shared by ingestion, the index and the query path.

export type Metadata = Record<string, string | number | boolean>;

export interface DocumentInput {
  id?: string;
  text: string;
  title?: string;
  source?: string;
  metadata?: Metadata;
}

export interface Chunk {
  /** `${docId}#${ordinal}` */
  id: string;
  docId: string;
  ordinal: number;
  text: string;
  tokens: number;
}

/** A chunk as retrieved for a query, with its document's descriptive fields. */
export interface RetrievedChunk {
  chunkId: string;
  docId: string;
  title: string;
  source: string;
  text: string;
  tokens: number;
  metadata: Metadata;
  /** The fused score (higher is better). */
  score: number;
}

export type { MetadataFilter } from "../util/metadata-filter.js";

/** A document ready for the index: chunked and embedded, with its content hash. */
export interface StoredDocument {
  id: string;
  title: string;
  source: string;
  metadata: Metadata;
  text: string;
  contentHash: string;
  embeddingModel: string;
  chunks: Array<{ ordinal: number; text: string; tokens: number; vector: ArrayBuffer }>;
}
