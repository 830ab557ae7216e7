// Creating and deleting a namespace across its shards. The head decides: it is created first (so
// two creations of one name conflict there, before any other shard is touched) and deleted last
// (so while a deletion runs, the namespace still exists and its other shards, already emptied,
// refuse calls until the head is gone too: no answer is ever computed from half a namespace).
// Every object's report of itself is sent on (see index-reports).
import type { AppContext } from "../context.js";
import { indexStub } from "../services.js";
import { indexObjectName } from "./namespace-index.js";
import { sendIndexReports } from "./index-reports.js";
import { fanOut, noteShards, shardLayout } from "./namespace-shards.js";

/** Creates `name` with `shards` shards; false when it already exists (nothing changes). */
export async function createNamespaceShards(
  app: AppContext,
  name: string,
  shards: number,
): Promise<{ created: boolean; createdAt: number | null }> {
  const layout = shardLayout(app.env, name, shards);
  const made = await layout.stub(0).createNamespace(layout.claim(0));
  if (!made.created) return made;
  const joined = await fanOut(others(shards), (shard) =>
    layout.stub(shard).joinNamespace(layout.claim(shard)),
  );
  noteShards(name, shards);
  await sendIndexReports(app, name, [
    [0, made.report],
    ...joined.map((j, i) => [i + 1, j.report] as const),
  ]);
  return made;
}

/**
 * Empties every shard and marks the namespace deleted, the head last; null when it was not live.
 * Returns the documents deleted over all shards and the head's new version.
 */
export async function deleteNamespaceShards(
  app: AppContext,
  name: string,
): Promise<{ documents: number; version: number } | null> {
  const head = indexStub(app.env, indexObjectName(name));
  const info = await head.namespaceInfo();
  if (!info.live) return null;
  const layout = shardLayout(app.env, name, info.shards);
  const dropped = await fanOut(others(info.shards), (shard) =>
    layout.stub(shard).deleteNamespace(),
  );
  const last = await head.deleteNamespace();
  noteShards(name, 1);
  await sendIndexReports(app, name, [
    ...dropped.map((d, i) => [i + 1, d.report] as const),
    [0, last.report],
  ]);
  return {
    documents: last.documents + dropped.reduce((n, d) => n + d.documents, 0),
    version: last.version,
  };
}

/** Shards 1..n-1. */
function others(shards: number): number[] {
  return Array.from({ length: Math.max(0, shards - 1) }, (_, i) => i + 1);
}
