// Answer-cache purge epochs, per scope and tier, in the INDEX object. A purge bumps them; every
// answer key carries its tier's epoch, so a purge makes older entries unreachable in every isolate
// and colo (the Cache API cannot be purged globally). A scope's epoch is its own plus that of
// ALL_SCOPES, so "purge everything" reaches every scope with one row.
import { ALL_SCOPES, type CacheState, type CacheTierName } from "../../shared/cache/cache-state.js";
import { currentVersion } from "./index-version.js";

/** The index version and, per tier, the purge epoch that applies to `scope`. */
export function readCacheState(sql: SqlStorage, scope: string): CacheState {
  const epochs: Record<CacheTierName, number> = { memory: 0, edge: 0, kv: 0 };
  const rows = sql
    .exec<{ tier: string; epoch: number }>(
      "SELECT tier, SUM(epoch) AS epoch FROM cache_epochs WHERE scope IN (?, ?) GROUP BY tier",
      ALL_SCOPES,
      scope,
    )
    .toArray();
  for (const r of rows) {
    if (r.tier === "memory" || r.tier === "edge" || r.tier === "kv") epochs[r.tier] = r.epoch;
  }
  return { version: currentVersion(sql), epochs };
}

/** Bumps the epochs of `scope` (`ALL_SCOPES` for all) in `tiers`, in one transaction. */
export function bumpEpochs(
  storage: DurableObjectStorage,
  scope: string,
  tiers: readonly CacheTierName[],
): void {
  storage.transactionSync(() => {
    for (const tier of new Set(tiers)) {
      storage.sql.exec(
        `INSERT INTO cache_epochs (scope, tier, epoch) VALUES (?, ?, 1)
         ON CONFLICT(scope, tier) DO UPDATE SET epoch = epoch + 1`,
        scope,
        tier,
      );
    }
  });
}
