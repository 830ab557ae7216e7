// Which INDEX object holds a namespace, and the checks that a namespace is live. `default` keeps
// the object name the single index always had ("main"), so an existing deployment's documents
// are its default namespace with no migration; every other namespace is `ns:<name>` (names are
// [a-z0-9][a-z0-9_-]{0,62}, so the two can never collide). `default` is always live.
import { DEFAULT_NAMESPACE } from "../../shared/tenancy/grants.js";
import type { AppContext } from "../context.js";
import type { IndexObject } from "../do/index-object.js";
import { HttpError } from "../errors.js";
import { INDEX_NAME, indexStub } from "../services.js";

/** The INDEX object name of a namespace. */
export function indexObjectName(namespace: string): string {
  return namespace === DEFAULT_NAMESPACE ? INDEX_NAME : `ns:${namespace}`;
}

/** The INDEX object of a namespace. */
export function namespaceIndex(env: Env, namespace: string): DurableObjectStub<IndexObject> {
  return indexStub(env, indexObjectName(namespace));
}

/** The 404 for a namespace that does not exist (never created, or deleted). */
export function namespaceNotFound(namespace: string): HttpError {
  return new HttpError("namespace_not_found", `namespace "${namespace}" does not exist`, {
    param: "namespace",
  });
}

/**
 * Throws 404 unless `namespace` is live. One call to its object for any namespace but
 * `default`: used where a request is about to spend (ingestion) or has found nothing, never on
 * the query path, where the cache-state read already carries the answer.
 */
export async function requireLiveNamespace(app: AppContext, namespace: string): Promise<void> {
  if (namespace === DEFAULT_NAMESPACE) return;
  const info = await namespaceIndex(app.env, namespace).namespaceInfo();
  if (!info.live) throw namespaceNotFound(namespace);
}
