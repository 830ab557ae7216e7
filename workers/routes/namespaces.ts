// /admin/namespaces: create (with a shard count), list (with document and chunk counts summed
// over the shards), delete. Creating marks the namespace's head INDEX object live (and its other
// shards), then lists it in the registry; deleting empties every shard and marks the head deleted
// before the registry forgets it, so from that moment no request can read, write or be answered
// from cache in it, whatever the registry still lists.
import type { RoutedRequest } from "../http/routed-request.js";
import { CreateNamespaceRequestSchema } from "../../shared/api/schemas.js";
import { DEFAULT_NAMESPACE } from "../../shared/tenancy/grants.js";
import { isNamespaceName } from "../../shared/tenancy/namespace-name.js";
import { requireAdmin } from "../auth.js";
import type { AppContext } from "../context.js";
import { HttpError } from "../errors.js";
import { readJson } from "../http/read-json.js";
import { json } from "../http/respond.js";
import { cacheStates } from "../cache/cache-state.js";
import { metricsStub } from "../metrics.js";
import { indexObjectName, namespaceNotFound } from "../tenancy/namespace-index.js";
import {
  createNamespaceShards,
  deleteNamespaceShards,
} from "../tenancy/namespace-shard-lifecycle.js";
import { namespaceSizes } from "../tenancy/namespace-stats.js";
import { listRegistered, register, unregister } from "../tenancy/namespace-registry.js";

/** A namespace as admins see it. */
export interface NamespaceView {
  object: "namespace";
  name: string;
  created_at: string | null;
  /** Null while its size is not known yet (see namespaceSizes). */
  documents: number | null;
  chunks: number | null;
  index_version: number | null;
  /** INDEX objects the namespace's documents are spread over (1 unless created with more). */
  shards: number;
}

export async function createNamespace(request: RoutedRequest, app: AppContext): Promise<Response> {
  await requireAdmin(request, app);
  const { name, shards } = await readJson(request, CreateNamespaceRequestSchema, 4096);
  if (name === DEFAULT_NAMESPACE) throw alreadyExists(name);
  const made = await createNamespaceShards(app, name, shards);
  if (!made.created) throw alreadyExists(name);
  // This isolate may hold the name as not live (a request before its creation): ask again.
  cacheStates(app.config).expire(indexObjectName(name));
  const created_at = new Date(made.createdAt ?? Date.now()).toISOString();
  await register(app.env.CACHE, { name, created_at, shards });
  app.metrics.inc("ragway_namespaces_created_total");
  app.logFields.namespace = name;
  return json({ object: "namespace", name, created_at, shards }, { status: 201 });
}

export async function listNamespaces(request: RoutedRequest, app: AppContext): Promise<Response> {
  await requireAdmin(request, app);
  const [registered, reports] = await Promise.all([
    listRegistered(app.env.CACHE),
    metricsStub(app.env).indexSizes(),
  ]);
  // The registry may lag a deletion; the objects' reports (or the objects) are the authority.
  const { sizes, pending } = await namespaceSizes(app, registered, reports);
  const known = new Map(sizes.map((s) => [s.namespace, s]));
  const waiting = new Set(pending);
  const views = registered.flatMap((entry): NamespaceView[] => {
    const size = known.get(entry.name);
    if (!size && !waiting.has(entry.name)) return [];
    return [
      {
        object: "namespace",
        name: entry.name,
        created_at: entry.created_at,
        documents: size?.documents ?? null,
        chunks: size?.chunks ?? null,
        index_version: size?.version ?? null,
        shards: size?.shards ?? entry.shards ?? 1,
      },
    ];
  });
  return json({ object: "list", data: views });
}

export async function deleteNamespace(request: RoutedRequest, app: AppContext): Promise<Response> {
  await requireAdmin(request, app);
  const name = request.params.name ?? "";
  if (name === DEFAULT_NAMESPACE) {
    throw new HttpError(
      "invalid_request",
      `the "${DEFAULT_NAMESPACE}" namespace cannot be deleted`,
      {
        param: "name",
      },
    );
  }
  if (!isNamespaceName(name)) throw namespaceNotFound(name);
  const dropped = await deleteNamespaceShards(app, name);
  if (!dropped) throw namespaceNotFound(name);
  // This isolate stops answering from the namespace at once; others within CACHE_STATE_TTL_MS.
  const holder = cacheStates(app.config);
  holder.noteVersion(indexObjectName(name), dropped.version);
  holder.expire(indexObjectName(name));
  await unregister(app.env.CACHE, name);
  app.metrics.inc("ragway_namespaces_deleted_total");
  app.logFields.namespace = name;
  return json({
    object: "namespace.deleted",
    name,
    deleted: true,
    documents_deleted: dropped.documents,
  });
}

function alreadyExists(name: string): HttpError {
  return new HttpError("conflict", `namespace "${name}" already exists`, { param: "name" });
}
