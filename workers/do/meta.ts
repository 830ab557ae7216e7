// The INDEX object's `meta` table: small named values (the version, the document and chunk
// counts, the namespace's state and shard layout, the seed flag), each key owned by one module
// that reads and writes it through these two functions.

/** The values of those of `keys` that are set, by key. */
export function readMeta(sql: SqlStorage, ...keys: string[]): Map<string, string> {
  const rows = sql
    .exec<{
      key: string;
      value: string;
    }>(`SELECT key, value FROM meta WHERE key IN (${keys.map(() => "?").join(", ")})`, ...keys)
    .toArray();
  return new Map(rows.map((r) => [r.key, r.value]));
}

/** Sets `key` to `value` (inside the caller's transaction, when it has one). */
export function setMeta(sql: SqlStorage, key: string, value: string): void {
  sql.exec(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    key,
    value,
  );
}
