// A namespace's documents across its shards: each document lives in the shard its id hashes to
// (shardOf), so a read or delete of one id calls one object, a write calls each shard it touches
// (in parallel) and then, once they committed, the head moves the namespace version on once, so
// no cached answer outlives the write. Listing merges the shards' pages in id order. An unsharded
// namespace makes exactly the one call it always made.
import type { StoredDocument } from "../../shared/rag/types.js";
import { compareIds, mergeIdPages } from "../../shared/search/merge-id-pages.js";
import { shardOf } from "../../shared/search/shard-placement.js";
import type { AppContext } from "../context.js";
import type {
  DocumentRecord,
  DocumentSummary,
  IndexReport,
  UpsertResult,
} from "../do/index-object.js";
import type { DocumentPage, ListDocumentsParams } from "../do/list-documents.js";
import { sendIndexReports } from "./index-reports.js";
import {
  allShards,
  fanOut,
  groupByShard,
  withShards,
  type ShardLayout,
} from "./namespace-shards.js";

type Hashes = Record<string, { contentHash: string; embeddingModel: string }>;

/**
 * Writes documents to their shards; the version returned is the namespace's (the head's) after
 * the write. With `requireLive`, a namespace deleted meanwhile writes nothing and says so.
 */
export function upsertDocuments(
  app: AppContext,
  namespace: string,
  docs: StoredDocument[],
  options: { requireLive: boolean },
): Promise<UpsertResult> {
  return withShards(app, namespace, async (layout) => {
    if (layout.shards === 1) {
      const stored = await layout.stub(0).upsert(docs, { ...options, layout: layout.claim(0) });
      await sendIndexReports(app, namespace, [[0, stored.report]]);
      return stored;
    }
    const groups = [...groupByShard(docs, (d) => shardOf(d.id, layout.shards))];
    const written = await fanOut(
      groups.map(([shard]) => shard),
      (shard) =>
        layout.stub(shard).upsert(groups.find(([s]) => s === shard)?.[1] ?? [], {
          ...options,
          layout: layout.claim(shard),
        }),
    );
    const missing = written.find((w) => w.namespaceMissing);
    if (missing) return missing;
    const reports = groups.map(([shard], i) => [shard, written[i]?.report] as const);
    const results = new Map(written.flatMap((w) => w.results).map((r) => [r.id, r]));
    const ordered = docs.flatMap((d) => {
      const r = results.get(d.id);
      return r ? [r] : [];
    });
    const head = await settleWrite(
      layout,
      groups.map(([shard], i) => [shard, written[i]?.version ?? 0]),
    );
    await sendIndexReports(app, namespace, [
      ...reports.filter(([shard]) => shard !== 0),
      [0, head],
    ]);
    return { version: head.version, results: ordered };
  });
}

/** Content hashes of the ids that exist, from their shards. */
export function documentHashes(app: AppContext, namespace: string, ids: string[]): Promise<Hashes> {
  return withShards(app, namespace, async (layout) => {
    const groups = [...groupByShard(ids, (id) => shardOf(id, layout.shards))];
    const parts = await fanOut(
      groups.map(([shard]) => shard),
      (shard) => layout.stub(shard).hashes(idsOf(groups, shard), layout.claim(shard)),
    );
    return Object.assign({}, ...parts) as Hashes;
  });
}

/** Summaries of the ids that exist, in id order. */
export function lookupDocuments(
  app: AppContext,
  namespace: string,
  ids: string[],
): Promise<DocumentSummary[]> {
  return withShards(app, namespace, async (layout) => {
    if (layout.shards === 1) return layout.stub(0).lookup(ids, layout.claim(0));
    const groups = [...groupByShard(ids, (id) => shardOf(id, layout.shards))];
    const parts = await fanOut(
      groups.map(([shard]) => shard),
      (shard) => layout.stub(shard).lookup(idsOf(groups, shard), layout.claim(shard)),
    );
    return parts.flat().sort((a, b) => compareIds(a.id, b.id));
  });
}

/** One document from its shard, or null. */
export function readDocument(
  app: AppContext,
  namespace: string,
  id: string,
): Promise<DocumentRecord | null> {
  return withShards(app, namespace, (layout) => {
    const shard = shardOf(id, layout.shards);
    return layout.stub(shard).getDocument(id, layout.claim(shard));
  });
}

/** Deletes one document from its shard; the version is the namespace's when it was deleted. */
export function removeDocument(
  app: AppContext,
  namespace: string,
  id: string,
): Promise<{ deleted: boolean; version: number | null }> {
  return withShards(app, namespace, async (layout) => {
    const shard = shardOf(id, layout.shards);
    const result = await layout.stub(shard).deleteDocument(id, layout.claim(shard));
    if (shard === 0) {
      await sendIndexReports(app, namespace, [[0, result.report]]);
      return result;
    }
    if (!result.deleted) return { deleted: false, version: null };
    const head = await settleWrite(layout, [[shard, result.version]]);
    await sendIndexReports(app, namespace, [
      [shard, result.report],
      [0, head],
    ]);
    return { deleted: true, version: head.version };
  });
}

/** One page of the namespace's documents in id order, merged over its shards. */
export function listNamespaceDocuments(
  app: AppContext,
  namespace: string,
  params: ListDocumentsParams,
): Promise<DocumentPage> {
  return withShards(app, namespace, async (layout) => {
    const pages = await fanOut(allShards(layout), (shard) =>
      layout.stub(shard).listDocuments(params, layout.claim(shard)),
    );
    return layout.shards === 1
      ? (pages[0] ?? { documents: [], hasMore: false })
      : mergeIdPages(pages, params.limit);
  });
}

/** The namespace's version (the head's), in one call. */
export function namespaceVersion(app: AppContext, namespace: string): Promise<number> {
  return withShards(app, namespace, async (layout) => {
    return (await layout.stub(0).stats(layout.claim(0))).version;
  });
}

/**
 * The head's half of a write to other shards: it records their new versions and moves the
 * namespace version on once. A search checks those records against the versions its shards
 * answered with, so an answer read before a write landed is never filed under the version after.
 */
async function settleWrite(
  layout: ShardLayout,
  written: ReadonlyArray<readonly [number, number]>,
): Promise<IndexReport> {
  const acks: Record<string, number> = {};
  for (const [shard, version] of written) if (shard !== 0) acks[String(shard)] = version;
  return layout.stub(0).acknowledgeShardWrites(acks, layout.claim(0));
}

function idsOf(groups: ReadonlyArray<readonly [number, string[]]>, shard: number): string[] {
  return groups.find(([s]) => s === shard)?.[1] ?? [];
}
