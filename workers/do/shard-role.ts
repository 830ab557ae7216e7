// Which shard of which layout an INDEX object is, and the check every sharded call makes. A
// namespace of n shards is its head object (`ns:<name>`, shard 0: version, purge epochs,
// liveness, the shard count) and n - 1 more (`ns:<name>#<i>`). An isolate remembers each
// namespace's shard count; a namespace deleted and created again with another count would leave
// that memory wrong, so every call says which layout it assumes and the object refuses one that
// is not its own. The refusal (thrown; returned by search, which every isolate's first query of a
// sharded namespace meets) names the head's count (or 0: "ask the head"), the caller learns it
// and tries again: no call ever reads or writes the wrong object, and none pays for a lookup.
// State sits in `meta`: `ns_shards` (absent: 1) and `ns_shard_index` (absent: 0, the head).
// Also here: the head's record of the shards' writes it has counted into the namespace version.
import { readMeta, setMeta } from "./meta.js";

/** The layout a caller assumes: `shards` in all, and which one it is calling. */
export interface ShardLayoutClaim {
  shards: number;
  shard: number;
}

/** The prefix of the error a refused layout throws (RPC carries the message, not the class). */
export const LAYOUT_MISMATCH = "shard_layout_mismatch:";

/** Records this object's place in a layout (at namespace creation). */
export function recordShardRole(sql: SqlStorage, claim: ShardLayoutClaim): void {
  setMeta(sql, "ns_shards", String(claim.shards));
  setMeta(sql, "ns_shard_index", String(claim.shard));
}

/** This object's recorded shard count and index (1 and 0 when none was recorded). */
export function shardRole(sql: SqlStorage): ShardLayoutClaim {
  const meta = readMeta(sql, "ns_shards", "ns_shard_index");
  const shards = meta.get("ns_shards");
  const shard = meta.get("ns_shard_index");
  return { shards: shards === undefined ? 1 : Number(shards), shard: Number(shard ?? 0) };
}

/**
 * Throws `shard_layout_mismatch:<n>` unless `claim` is this object's layout. A head answers with
 * its count; any other shard with 0 (it cannot vouch for the namespace), and also when it is not
 * live, so a caller whose layout outlived the namespace asks the head, which knows.
 */
export function checkShardLayout(sql: SqlStorage, claim: ShardLayoutClaim, live: boolean): void {
  const refused = layoutRefusal(sql, claim, live);
  if (refused !== null) throw new Error(`${LAYOUT_MISMATCH}${refused}`);
}

/** What {@link checkShardLayout} would refuse with (the count to use, 0: ask the head), or null. */
export function layoutRefusal(
  sql: SqlStorage,
  claim: ShardLayoutClaim,
  live: boolean,
): number | null {
  const role = shardRole(sql);
  if (claim.shard === 0) {
    if (role.shard === 0 && role.shards === claim.shards) return null;
    return role.shard === 0 ? role.shards : 0;
  }
  if (!live || role.shard !== claim.shard || role.shards !== claim.shards) return 0;
  return null;
}

/** The other shards' versions the head has counted into the namespace version, by shard. */
export function shardAcks(sql: SqlStorage): Record<string, number> {
  const acks = readMeta(sql, "shard_acks").get("shard_acks");
  return acks ? (JSON.parse(acks) as Record<string, number>) : {};
}

/** Records shards' versions (keeping each one's highest). Call inside the write's transaction. */
export function recordShardAcks(sql: SqlStorage, acks: Record<string, number>): void {
  const held = shardAcks(sql);
  for (const [shard, version] of Object.entries(acks)) {
    held[shard] = Math.max(held[shard] ?? 0, version);
  }
  setMeta(sql, "shard_acks", JSON.stringify(held));
}
