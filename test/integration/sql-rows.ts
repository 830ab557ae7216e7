// The rows a piece of code reads and writes in a Durable Object's SQLite, as the platform counts
// (and bills) them: every cursor it opens, added up. For tests that pin what a read or a write
// costs, inside runInDurableObject.

/** Runs `run` and returns its result with the rows its SQL statements read and wrote. */
export function countRows<T>(
  state: DurableObjectState,
  run: () => T,
): { result: T; rowsRead: number; rowsWritten: number } {
  const sql = state.storage.sql;
  const exec = sql.exec.bind(sql);
  const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  sql.exec = ((query: string, ...bindings: unknown[]) => {
    const cursor = exec(query, ...bindings);
    cursors.push(cursor);
    return cursor;
  }) as typeof sql.exec;
  try {
    const result = run();
    return {
      result,
      rowsRead: cursors.reduce((n, c) => n + c.rowsRead, 0),
      rowsWritten: cursors.reduce((n, c) => n + c.rowsWritten, 0),
    };
  } finally {
    sql.exec = exec;
  }
}
