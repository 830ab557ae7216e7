// The index version: a counter in the meta table that every write bumps inside its own
// transaction, so a reader never sees new documents under an old version. Answer-cache keys hold
// it, which is what makes a write reach every cached answer.
import { readMeta, setMeta } from "./meta.js";

/** The current version (0 before the first write). */
export function currentVersion(sql: SqlStorage): number {
  return Number(readMeta(sql, "version").get("version") ?? 0);
}

/** Bumps and returns the version. Call inside the write's `transactionSync`. */
export function bumpVersion(sql: SqlStorage): number {
  const next = currentVersion(sql) + 1;
  setMeta(sql, "version", String(next));
  return next;
}
