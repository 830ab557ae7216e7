// Ingestion: derive ids and content hashes, skip unchanged documents, chunk by tokens, embed the
// chunks in batches, hand the result to the index. Embedding failures come back as values.
// Chunking a 100-document request is about a second of CPU: it gives way to the event loop every
// CHUNK_SLICE_CHARS (shared/util/yield-budget), so other requests of the isolate are not held.
import type { TokenCounter } from "../tokens/count.js";
import { chunkText, type TextChunk } from "./chunk.js";
import { float32ToBytes } from "../vector/vector.js";
import { sha256Hex, stableStringify } from "../util/hash.js";
import { YieldBudget } from "../util/yield-budget.js";
import type { Outcome, UpstreamFailure } from "../llm/types.js";
import type { DocumentInput, Metadata, StoredDocument } from "./types.js";

/** Inputs per upstream embedding call. */
export const EMBED_BATCH = 96;

/** Characters chunked (and exactly tokenised) between two yields: ~5-10 ms of CPU. */
export const CHUNK_SLICE_CHARS = 8_000;

export interface IngestDeps {
  counter: TokenCounter;
  embeddingModel: string;
  /**
   * Called with the counted tokens of every chunk about to be embedded, before any is: the place
   * to reserve them. Throwing stops the ingestion before anything is embedded or stored.
   */
  beforeEmbed?(tokens: number): Promise<void>;
  /** Embeds texts with the configured embedding model; vectors in input order. */
  embed(texts: string[]): Promise<Outcome<{ vectors: Float32Array[]; promptTokens?: number }>>;
  /** Content hashes already stored for these ids. */
  existing(ids: string[]): Promise<Record<string, { contentHash: string; embeddingModel: string }>>;
  /** Stores documents atomically; returns the new index version. */
  store(
    docs: StoredDocument[],
  ): Promise<{ version: number; results: Array<{ id: string; status: "created" | "updated" }> }>;
}

export interface IngestResult {
  documents: Array<{ id: string; status: "created" | "updated" | "unchanged"; chunks: number }>;
  embeddingTokens: number;
  version: number | null;
}

/** A document id derived from its text, so re-ingesting the same text is idempotent. */
export async function documentIdFor(text: string): Promise<string> {
  return `doc_${(await sha256Hex(text)).slice(0, 24)}`;
}

/** A document with its id, title and content hash resolved: what a job stores until it runs. */
export type PreparedDocument = Omit<StoredDocument, "chunks" | "embeddingModel">;

/** Ingests documents; unchanged ones (same content and embedding model) are not re-embedded. */
export async function ingestDocuments(
  inputs: DocumentInput[],
  deps: IngestDeps,
): Promise<Outcome<IngestResult>> {
  return ingestPrepared(await prepareDocuments(inputs), deps);
}

/**
 * Ids, titles and content hashes of `inputs`, in input order (duplicates of an id kept: the
 * later one wins when ingested).
 */
export function prepareDocuments(inputs: DocumentInput[]): Promise<PreparedDocument[]> {
  return Promise.all(inputs.map((doc) => prepare(doc)));
}

/** The documents of `prepared` that need embedding, chunked, and the tokens that will cost. */
export interface IngestPlan {
  chunked: Array<{ doc: PreparedDocument; chunks: TextChunk[] }>;
  /** Counted tokens of every text that will be embedded (each chunk headed by its title). */
  estimate: number;
}

/**
 * Which prepared documents changed (content or embedding model) and their chunks, with the
 * token estimate to reserve before embedding them.
 */
export async function planIngest(
  prepared: PreparedDocument[],
  deps: Pick<IngestDeps, "counter" | "embeddingModel" | "existing">,
): Promise<IngestPlan> {
  // Later duplicates of an id win, as a sequence of single upserts would.
  const unique = [...new Map(prepared.map((p) => [p.id, p])).values()];
  const stored = await deps.existing(unique.map((d) => d.id));
  const changed = unique.filter((d) => {
    const prior = stored[d.id];
    return (
      !prior || prior.contentHash !== d.contentHash || prior.embeddingModel !== deps.embeddingModel
    );
  });
  const budget = new YieldBudget(CHUNK_SLICE_CHARS);
  const chunked: Array<{ doc: (typeof changed)[number]; chunks: TextChunk[] }> = [];
  for (const doc of changed) {
    chunked.push({ doc, chunks: chunkText(doc.text, { counter: deps.counter }) });
    await budget.spend(doc.text.length);
  }
  // Chunks were counted when cut; each title is counted once per document (plus its separator).
  let estimate = 0;
  for (const { doc, chunks } of chunked) {
    const title = deps.counter.count(`${doc.title}\n\n`);
    for (const ch of chunks) estimate += ch.tokens + title;
  }
  return { chunked, estimate };
}

/** Ingests documents already prepared (a job's): the same steps as {@link ingestDocuments}. */
export async function ingestPrepared(
  prepared: PreparedDocument[],
  deps: IngestDeps,
): Promise<Outcome<IngestResult>> {
  const { chunked, estimate } = await planIngest(prepared, deps);
  // The title heads each embedded text: a chunk deep in a page still carries what the page is about.
  const texts = chunked.flatMap((c) => c.chunks.map((ch) => `${c.doc.title}\n\n${ch.text}`));
  if (texts.length > 0 && deps.beforeEmbed) await deps.beforeEmbed(estimate);
  const embedded = await embedAll(texts, deps);
  if (!embedded.ok) return embedded;

  let cursor = 0;
  const docs: StoredDocument[] = chunked.map(({ doc, chunks }) => ({
    ...doc,
    embeddingModel: deps.embeddingModel,
    chunks: chunks.map((ch) => {
      const vector = embedded.value.vectors[cursor++];
      return { ...ch, vector: float32ToBytes(vector ?? new Float32Array(0)) };
    }),
  }));

  const status = new Map<string, { status: "created" | "updated" | "unchanged"; chunks: number }>();
  let version: number | null = null;
  if (docs.length > 0) {
    const result = await deps.store(docs);
    version = result.version;
    for (const r of result.results) {
      const doc = docs.find((d) => d.id === r.id);
      status.set(r.id, { status: r.status, chunks: doc?.chunks.length ?? 0 });
    }
  }
  const documents = prepared.map((p) => ({
    id: p.id,
    ...(status.get(p.id) ?? { status: "unchanged" as const, chunks: 0 }),
  }));
  return {
    ok: true,
    value: { documents, embeddingTokens: embedded.value.tokens, version },
  };
}

async function prepare(input: DocumentInput): Promise<PreparedDocument> {
  const text = input.text.replace(/\r\n?/g, "\n");
  const id = input.id ?? (await documentIdFor(text));
  const title = input.title ?? deriveTitle(text);
  const source = input.source ?? "";
  const metadata: Metadata = input.metadata ?? {};
  const contentHash = await sha256Hex(stableStringify({ text, title, source, metadata }));
  return { id, title, source, metadata, text, contentHash };
}

/** The first Markdown heading, else the first line, shortened. */
function deriveTitle(text: string): string {
  const heading = /^#{1,6}\s+(.+)$/m.exec(text);
  const line = heading?.[1] ?? text.split("\n").find((l) => l.trim() !== "") ?? "Untitled";
  const clean = line.trim();
  return clean.length > 80 ? `${clean.slice(0, 77)}...` : clean;
}

async function embedAll(
  texts: string[],
  deps: IngestDeps,
): Promise<Outcome<{ vectors: Float32Array[]; tokens: number }>> {
  const vectors: Float32Array[] = [];
  let tokens = 0;
  for (let i = 0; i < texts.length; i += EMBED_BATCH) {
    const batch = texts.slice(i, i + EMBED_BATCH);
    const result = await deps.embed(batch);
    if (!result.ok) return result;
    if (result.value.vectors.length !== batch.length) {
      const failure: UpstreamFailure = {
        reason: "bad_response",
        message: `embedding returned ${result.value.vectors.length} vectors for ${batch.length} inputs`,
        retryable: false,
      };
      return { ok: false, failure };
    }
    vectors.push(...result.value.vectors);
    tokens += result.value.promptTokens ?? batch.reduce((n, t) => n + deps.counter.count(t), 0);
  }
  return { ok: true, value: { vectors, tokens } };
}
