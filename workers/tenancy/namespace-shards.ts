// A namespace's shards: which INDEX objects they are, how many this isolate believes there are,
// and how calls reach them. Shard 0 is the namespace's head object (`main` for `default`,
// `ns:<name>` otherwise), which keeps the version, purge epochs, liveness and the shard count;
// shard i > 0 is `ns:<name>#<i>` (`#` never occurs in a namespace name). The isolate remembers
// each namespace's count without asking: every call names the layout it assumes and the objects
// refuse a wrong one (workers/do/shard-role), so a stale belief costs one retry, never a wrong
// read or write, and an unsharded namespace never pays a lookup.
//
// Fan-out is capped at SHARD_FANOUT calls in flight. Cloudflare's limits page counts fetch, KV,
// Cache API, R2, Queues and connect() against the six simultaneous open connections of an
// invocation; it neither lists nor excludes Durable Object stub calls, and the Durable Objects
// limits page gives objects "6 (same as Workers)" for their own outgoing connections. So a
// seventh call might queue behind the first six in production, and `wrangler dev` does not
// enforce the limit at all: the cap makes that queueing ours and visible (32 shards go in waves
// of 6) rather than the runtime's, and costs nothing up to 6 shards.
import { DEFAULT_NAMESPACE } from "../../shared/tenancy/grants.js";
import { mapConcurrent } from "../../shared/util/map-concurrent.js";
import type { IndexObject, ShardLayoutClaim } from "../do/index-object.js";
import { LAYOUT_MISMATCH } from "../do/shard-role.js";
import type { AppContext } from "../context.js";
import { HttpError } from "../errors.js";
import { indexStub } from "../services.js";
import { isLive } from "../../shared/tenancy/namespace-name.js";
import { indexObjectName, namespaceNotFound } from "./namespace-index.js";

/** Shard calls in flight at once (see the header: the six-connection limit). */
export const SHARD_FANOUT = 6;

/** How many times a call is tried with a newly learnt layout before giving up (503). */
const LAYOUT_ATTEMPTS = 3;

/** Shard counts this isolate has learnt, by namespace (absent: assumed 1). */
const known = new Map<string, number>();

/** The INDEX object name of shard `shard` of `namespace`. */
export function shardObjectName(namespace: string, shard: number): string {
  const head = indexObjectName(namespace);
  return shard === 0 ? head : `${head}#${shard}`;
}

/** One namespace's shards as a caller assumes them. */
export interface ShardLayout {
  namespace: string;
  shards: number;
  /** What a call to shard `i` claims about the layout. */
  claim(shard: number): ShardLayoutClaim;
  /** The INDEX object of shard `i`. */
  stub(shard: number): DurableObjectStub<IndexObject>;
}

/** The layout of `namespace` with `shards` shards. */
export function shardLayout(env: Env, namespace: string, shards: number): ShardLayout {
  return {
    namespace,
    shards,
    claim: (shard) => ({ shards, shard }),
    stub: (shard) => indexStub(env, shardObjectName(namespace, shard)),
  };
}

/**
 * Runs `run` with the layout this isolate believes in; when an object refuses it, learns the
 * namespace's real count (from the refusal, or from the head) and runs it again. A namespace
 * found not live on the way is a 404.
 */
export async function withShards<T>(
  app: AppContext,
  namespace: string,
  run: (layout: ShardLayout) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const layout = shardLayout(app.env, namespace, known.get(namespace) ?? 1);
    try {
      return await run(layout);
    } catch (err) {
      const told = mismatchCount(err);
      if (told === null) throw err;
      if (attempt >= LAYOUT_ATTEMPTS) {
        // Only while a namespace is being created or deleted do its objects disagree for long.
        throw new HttpError(
          "upstream_unavailable",
          `namespace "${namespace}" is changing; retry shortly`,
        );
      }
      await learnShards(app, namespace, told);
    }
  }
}

/** Remembers `namespace`'s shard count (after creating it, or reading its head). */
export function noteShards(namespace: string, shards: number): void {
  if (namespace === DEFAULT_NAMESPACE) return;
  if (shards === 1) known.delete(namespace);
  else known.set(namespace, shards);
}

/** Runs `fn` for each of `shards` (indexes), at most SHARD_FANOUT at a time; results in order. */
export function fanOut<T>(
  shards: readonly number[],
  fn: (shard: number) => Promise<T>,
): Promise<T[]> {
  return mapConcurrent(shards, SHARD_FANOUT, (shard) => fn(shard));
}

/** 0..n-1. */
export function allShards(layout: Pick<ShardLayout, "shards">): number[] {
  return Array.from({ length: layout.shards }, (_, i) => i);
}

/** Items grouped by the shard `shardOf` gives each, in first-seen shard order. */
export function groupByShard<T>(
  items: readonly T[],
  shardOf: (item: T) => number,
): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const shard = shardOf(item);
    const group = groups.get(shard);
    if (group) group.push(item);
    else groups.set(shard, [item]);
  }
  return groups;
}

async function learnShards(app: AppContext, namespace: string, told: number): Promise<void> {
  if (told > 0) {
    noteShards(namespace, told);
    return;
  }
  const info = await indexStub(app.env, indexObjectName(namespace)).namespaceInfo();
  if (!isLive(namespace, info.live)) {
    known.delete(namespace);
    throw namespaceNotFound(namespace);
  }
  noteShards(namespace, info.shards);
}

/** The error an object throws when it refuses a layout, for a refusal it returned instead. */
export function layoutRefusedError(count: number): Error {
  return new Error(`${LAYOUT_MISMATCH}${count}`);
}

/** The count a layout refusal names (0: ask the head), or null for any other error. */
function mismatchCount(err: unknown): number | null {
  const message = err instanceof Error ? err.message : String(err);
  const at = message.indexOf(LAYOUT_MISMATCH);
  if (at < 0) return null;
  const n = Number.parseInt(message.slice(at + LAYOUT_MISMATCH.length), 10);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}
