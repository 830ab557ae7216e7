// The index version: a counter in the meta table that every write bumps inside its own
// transaction, so a reader never sees new documents under an old version. Answer-cache keys hold
// it, which is what makes a write reach every cached answer.

/** The current version (0 before the first write). */
export function currentVersion(sql: SqlStorage): number {
  const row = sql
    .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'version'")
    .toArray()[0];
  return row ? Number(row.value) : 0;
}

/** Bumps and returns the version. Call inside the write's `transactionSync`. */
export function bumpVersion(sql: SqlStorage): number {
  const next = currentVersion(sql) + 1;
  sql.exec(
    "INSERT INTO meta (key, value) VALUES ('version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    String(next),
  );
  return next;
}
