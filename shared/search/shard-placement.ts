// Which shard of a namespace holds a document: a hash of the document id, so every writer and
// every reader agrees without a lookup table. Jump consistent hashing (Lamping and Veach, 2014)
// rather than hash % shards: growing a namespace from n to n + 1 shards moves only ~1/(n + 1) of
// its documents, the least any placement can move.
import { z } from "zod";
import { hash32 } from "../util/hash.js";

/** The most shards a namespace may have. */
export const MAX_SHARDS = 32;

/** A namespace's shard count at an API edge: an integer 1..32, default 1. */
export const shardCountSchema = z
  .number()
  .int(`must be a whole number of shards, 1..${MAX_SHARDS}`)
  .min(1, `must be at least 1 (shards are 1..${MAX_SHARDS})`)
  .max(MAX_SHARDS, `must be at most ${MAX_SHARDS}`)
  .default(1);

/**
 * The shard (0-based) of document `docId` in a namespace of `shards` shards. Stable across
 * releases and isolates: changing it moves documents, so treat it like a storage format.
 * Throws a RangeError unless `shards` is an integer 1..{@link MAX_SHARDS}.
 *
 * @example
 * shardOf("doc_3f2a", 4); // 0..3, the same on every call
 */
export function shardOf(docId: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) {
    throw new RangeError(`shardOf: shards must be an integer 1..${MAX_SHARDS}, got ${shards}`);
  }
  return jumpHash(key64(docId), shards);
}

const MASK_64 = (1n << 64n) - 1n;
const JUMP_MULTIPLIER = 2862933555777941757n;

/** Jump consistent hash of a 64-bit key into [0, buckets). */
function jumpHash(key: bigint, buckets: number): number {
  let k = key;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = (k * JUMP_MULTIPLIER + 1n) & MASK_64;
    j = Math.floor(((b + 1) * 2 ** 31) / (Number(k >> 33n) + 1));
  }
  return b;
}

/** A 64-bit key from two independent 32-bit hashes of the id. */
function key64(s: string): bigint {
  return (BigInt(hash32(s, 0x811c9dc5)) << 32n) | BigInt(hash32(s, 0x050c5d1f));
}
