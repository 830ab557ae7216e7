// A namespace's life in its own INDEX object: created, deleted, recreated. The object is the
// authority on whether its namespace is live (the KV registry only lists names), so a request
// needs no lookup of its own: the object answers it together with whatever the request asked.
// State sits in the object's `meta` table: `ns_state` is absent for an object never created
// through the admin API (the `default` namespace's object, which is always live, or a name
// nobody created), `live` or `deleted`. The version survives deletion, so answers cached before
// a deletion can never match again, even after the name is created anew.
import { readCounts, writeCounts } from "./index-counts.js";
import { readMeta, setMeta } from "./meta.js";

/** What an INDEX object knows about its namespace. */
export interface NamespaceInfo {
  /** Created (and not since deleted) through the admin API. */
  live: boolean;
  /** Epoch ms of the latest creation, or null. */
  createdAt: number | null;
  documents: number;
  chunks: number;
  version: number;
}

/** The namespace's state as recorded in `meta`. */
export function namespaceState(sql: SqlStorage): { live: boolean; createdAt: number | null } {
  const meta = readMeta(sql, "ns_state", "ns_created_at");
  const state = meta.get("ns_state");
  const created = meta.get("ns_created_at");
  return { live: state === "live", createdAt: created === undefined ? null : Number(created) };
}

/** Marks the namespace live; false (nothing changes) when it already is. */
export function markCreated(sql: SqlStorage, now: number): boolean {
  if (namespaceState(sql).live) return false;
  setMeta(sql, "ns_state", "live");
  setMeta(sql, "ns_created_at", String(now));
  // A recreated namespace starts empty and unseeded, whatever it held before.
  sql.exec("DELETE FROM meta WHERE key = 'seeded'");
  return true;
}

/** Deletes every document, chunk and search row and marks the namespace deleted; returns the
 * documents it held. Call inside a transaction. */
export function dropContents(sql: SqlStorage): number {
  const { documents } = readCounts(sql);
  sql.exec("DELETE FROM chunks_fts");
  sql.exec("DELETE FROM chunks");
  sql.exec("DELETE FROM documents");
  writeCounts(sql, { documents: 0, chunks: 0 });
  setMeta(sql, "ns_state", "deleted");
  return documents;
}
