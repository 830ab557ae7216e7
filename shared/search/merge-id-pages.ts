// Merging per-shard pages of a listing kept in id order (GET /v1/documents over a sharded
// namespace). Each shard answers "the first `limit` ids after the cursor" in SQLite's binary
// order; the first `limit` of their union is the namespace's page, and its last id is a cursor
// every shard can resume from, so paging stays exact however the ids are spread.

/**
 * Compares ids as SQLite's binary collation does (UTF-8 bytes, which is code point order).
 * JavaScript's `<` compares UTF-16 units instead, which puts U+E000..U+FFFF after astral
 * characters; this does not.
 *
 * @example
 * ["b", "a\u{1F600}", "a\uFFFD"].sort(compareIds); // ["a\uFFFD", "a\u{1F600}", "b"]
 */
export function compareIds(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** One shard's page: its first ids after the cursor, and whether it holds more. */
export interface IdPage<T extends { id: string }> {
  documents: T[];
  hasMore: boolean;
}

/**
 * The namespace's page from its shards' pages (each asked for `limit` after the same cursor):
 * the first `limit` ids of their union, and whether any shard holds more than that.
 *
 * @example
 * mergeIdPages([{ documents: [{ id: "a" }, { id: "c" }], hasMore: true },
 *               { documents: [{ id: "b" }], hasMore: false }], 2);
 * // { documents: [{ id: "a" }, { id: "b" }], hasMore: true }
 */
export function mergeIdPages<T extends { id: string }>(
  pages: ReadonlyArray<IdPage<T>>,
  limit: number,
): IdPage<T> {
  const all = pages.flatMap((p) => p.documents).sort((a, b) => compareIds(a.id, b.id));
  const documents = all.slice(0, Math.max(0, limit));
  return { documents, hasMore: all.length > documents.length || pages.some((p) => p.hasMore) };
}
