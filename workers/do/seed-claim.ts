// The once-only flag behind seeding a development index with the sample corpus: claimed in one
// transaction, so concurrent first requests in many isolates seed it once, and never again after
// the documents are deleted.
import { readCounts } from "./index-counts.js";

/** True once: when the index has never been seeded and is empty. */
export function claimSeed(storage: DurableObjectStorage): boolean {
  const sql = storage.sql;
  return storage.transactionSync(() => {
    const seeded = sql.exec("SELECT 1 FROM meta WHERE key = 'seeded'").toArray().length > 0;
    if (seeded) return false;
    sql.exec("INSERT INTO meta (key, value) VALUES ('seeded', '1')");
    return readCounts(sql).documents === 0;
  });
}
