// Where ingestion reads and writes a namespace's documents: the content hashes already stored and
// the atomic upsert, with the isolate's cache state told about the write. Synchronous ingestion
// and ingestion jobs both write through here, so both place documents on the namespace's shards
// (namespace-documents) the same way.
import type { IngestDeps } from "../../shared/rag/ingest.js";
import { DEFAULT_NAMESPACE } from "../../shared/tenancy/grants.js";
import { noteIndexWrite } from "../cache/cache-state.js";
import type { AppContext } from "../context.js";
import { documentHashes, upsertDocuments } from "./namespace-documents.js";
import { indexObjectName, namespaceNotFound } from "./namespace-index.js";

/** The ingestion ports of one namespace. */
export type NamespaceWriter = Pick<IngestDeps, "existing" | "store">;

/**
 * The stored hashes and the upsert of `namespace`. The upsert throws the 404
 * `namespace_not_found` when the namespace was deleted meanwhile (nothing is written then).
 */
export function namespaceWriter(app: AppContext, namespace: string): NamespaceWriter {
  const requireLive = namespace !== DEFAULT_NAMESPACE;
  return {
    existing: (ids) => documentHashes(app, namespace, ids),
    store: async (docs) => {
      const stored = await upsertDocuments(app, namespace, docs, { requireLive });
      // Deleted while this request was embedding: nothing was written.
      if (stored.namespaceMissing) throw namespaceNotFound(namespace);
      noteIndexWrite(app, stored.version, indexObjectName(namespace));
      return stored;
    },
  };
}
