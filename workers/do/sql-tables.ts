// Whether a Durable Object's SQLite database has a table: how stores tell an object made before
// a table existed (or after it was dropped) from one that has it.

/** Whether the database has a table named `name`. */
export function hasTable(sql: SqlStorage, name: string): boolean {
  return (
    sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", name).toArray()
      .length > 0
  );
}
