// The once-only flag behind seeding a development index with the sample corpus: claimed in one
// transaction, so concurrent first requests in many isolates seed it once, and never again after
// the documents are deleted.
import { readCounts } from "./index-counts.js";
import { readMeta, setMeta } from "./meta.js";

/** True once: when the index has never been seeded and is empty. */
export function claimSeed(storage: DurableObjectStorage): boolean {
  const sql = storage.sql;
  return storage.transactionSync(() => {
    if (readMeta(sql, "seeded").has("seeded")) return false;
    setMeta(sql, "seeded", "1");
    return readCounts(sql).documents === 0;
  });
}
