// Whether a Durable Object's SQLite database has a table: how stores tell an object made before
// a table existed (or after it was dropped) from one that has it.

/** Which of `names` the database has as tables, in the order given; one query for all of them. */
export function existingTables(sql: SqlStorage, names: readonly string[]): string[] {
  if (names.length === 0) return [];
  const found = new Set(
    sql
      .exec<{ name: string }>(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (${names.map(() => "?").join(", ")})`,
        ...names,
      )
      .toArray()
      .map((t) => t.name),
  );
  return names.filter((n) => found.has(n));
}

/** Whether the database has a table named `name`. */
export function hasTable(sql: SqlStorage, name: string): boolean {
  return existingTables(sql, [name]).length > 0;
}
