// A bounded metric label for namespaces: the first `max` namespaces (in the order given, which
// puts `default` first) keep their names, the rest are summed under `other`, so a deployment with
// thousands of tenants cannot blow up a scraper's series count.

/** The label every namespace past the bound is reported under. */
export const OTHER_NAMESPACE = "other";

/** Counts of one namespace. */
export interface NamespaceCounts {
  namespace: string;
  documents: number;
  chunks: number;
}

/**
 * Folds per-namespace counts into at most `max` named rows plus `other`.
 *
 * @example
 * foldNamespaces([{namespace:"default",documents:1,chunks:2}, ...], 20);
 */
export function foldNamespaces(rows: readonly NamespaceCounts[], max: number): NamespaceCounts[] {
  const named = rows.slice(0, Math.max(0, max));
  const rest = rows.slice(named.length);
  if (rest.length === 0) return [...named];
  const other = rest.reduce(
    (sum, r) => ({ ...sum, documents: sum.documents + r.documents, chunks: sum.chunks + r.chunks }),
    { namespace: OTHER_NAMESPACE, documents: 0, chunks: 0 },
  );
  return [...named, other];
}
