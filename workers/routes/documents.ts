// /v1/documents: ingest (chunk, embed, upsert), look up, read and delete documents in a
// namespace's INDEX object. Lookup lets a client (the ingest CLI) skip unchanged documents
// without sending them.
import type { RoutedRequest } from "../http/routed-request.js";
import { IngestRequestSchema, LookupRequestSchema } from "../../shared/api/schemas.js";
import { costUsd, findModel } from "../../shared/llm/catalog.js";
import { ingestDocuments } from "../../shared/rag/ingest.js";
import type { AppContext } from "../context.js";
import { embedderFor } from "../embedder.js";
import { HttpError } from "../errors.js";
import { readJson } from "../http/read-json.js";
import { json } from "../http/respond.js";
import { ensureAdmitted, ensureGrants } from "../limits/admission.js";
import { releasedOnFailure, spendHold } from "../limits/spend.js";
import { getServices } from "../services.js";
import { isNamespaceName } from "../../shared/tenancy/namespace-name.js";
import { indexObjectName, requireLiveNamespace } from "../tenancy/namespace-index.js";
import {
  lookupDocuments,
  namespaceVersion,
  readDocument,
  removeDocument,
} from "../tenancy/namespace-documents.js";
import { namespaceWriter } from "../tenancy/namespace-writer.js";
import { namespaceFor } from "../tenancy/permissions.js";
import { noteIndexWrite } from "../cache/cache-state.js";
import { upstreamFailureError } from "../upstream-error.js";
import { ingestAsJob } from "../jobs/ingest-job-route.js";

/** Ingest bodies carry whole documents, so their limit is larger than other routes'. */
const MAX_INGEST_BYTES = 10 * 1024 * 1024;

export async function postDocuments(request: RoutedRequest, app: AppContext): Promise<Response> {
  // Admitted (and counted) before up to 10 MB is parsed, hashed and tokenised; the embeddings
  // are reserved before any is made.
  await ensureAdmitted(app);
  const body = await readJson(request, IngestRequestSchema, MAX_INGEST_BYTES);
  await ensureGrants(app);
  const namespace = namespaceFor(app, body.namespace);
  // Checked before anything is embedded: nothing is spent on a namespace that does not exist.
  await requireLiveNamespace(app, namespace);
  const job = await ingestAsJob(app, namespace, body);
  if (job) return job;
  // The chunks' embeddings are reserved before any is made and settled with what the provider
  // billed (cached vectors cost nothing); a failure refunds the reservation.
  const embedModel = findModel(app.config.catalog, app.config.embeddingModel);
  const usdOf = (tokens: number) =>
    embedModel ? costUsd(embedModel, { prompt_tokens: tokens, completion_tokens: 0 }) : 0;
  const hold = spendHold(app);
  const result = await releasedOnFailure(hold, () =>
    ingestDocuments(body.documents, {
      counter: getServices(app.config).counter,
      embeddingModel: app.config.embeddingModel,
      beforeEmbed: (tokens) => hold.raise({ tokens, usd: usdOf(tokens) }),
      embed: embedderFor(app, "ingest"),
      ...namespaceWriter(app, namespace),
    }),
  );
  if (!result.ok) {
    throw upstreamFailureError(app, result.failure, "embedding");
  }
  await hold.settle({
    tokens: result.value.embeddingTokens,
    usd: usdOf(result.value.embeddingTokens),
  });
  const { documents, embeddingTokens, version } = result.value;
  for (const d of documents)
    app.metrics.inc("ragway_documents_ingested_total", { status: d.status });
  app.logFields.documents = documents.length;
  app.logFields.tokens = embeddingTokens;
  return json({
    object: "list",
    namespace,
    documents,
    index_version: version ?? (await namespaceVersion(app, namespace)),
    usage: { embedding_tokens: embeddingTokens },
  });
}

/** POST /v1/documents/lookup: which of these ids exist, with their hashes and metadata. */
export async function postDocumentsLookup(
  request: RoutedRequest,
  app: AppContext,
): Promise<Response> {
  const body = await readJson(request, LookupRequestSchema, app.config.MAX_BODY_BYTES);
  await ensureGrants(app);
  const namespace = namespaceFor(app, body.namespace);
  const [found] = await Promise.all([
    lookupDocuments(app, namespace, body.ids),
    requireLiveNamespace(app, namespace),
  ]);
  const present = new Set(found.map((d) => d.id));
  app.logFields.documents = body.ids.length;
  return json({
    object: "list",
    namespace,
    embedding_model: app.config.embeddingModel,
    documents: found,
    missing: [...new Set(body.ids.filter((id) => !present.has(id)))],
  });
}

export async function getDocument(request: RoutedRequest, app: AppContext): Promise<Response> {
  const id = documentId(request);
  await ensureGrants(app);
  const namespace = namespaceFor(app, queryNamespace(request));
  const doc = await readDocument(app, namespace, id);
  if (!doc) {
    // Only a miss pays for telling "no such namespace" from "no such document".
    await requireLiveNamespace(app, namespace);
    throw new HttpError("not_found", `document "${id}" not found`, { param: "id" });
  }
  return json({ object: "document", namespace, ...doc });
}

export async function deleteDocument(request: RoutedRequest, app: AppContext): Promise<Response> {
  const id = documentId(request);
  await ensureGrants(app);
  const namespace = namespaceFor(app, queryNamespace(request));
  const result = await removeDocument(app, namespace, id);
  if (result.version === null || !result.deleted) {
    await requireLiveNamespace(app, namespace);
    throw new HttpError("not_found", `document "${id}" not found`, { param: "id" });
  }
  return json({
    object: "document.deleted",
    namespace,
    id,
    deleted: true,
    index_version: noted(app, namespace, result.version),
  });
}

/** Records this isolate's own write of `namespace` (see noteIndexWrite); returns the version. */
function noted(app: AppContext, namespace: string, version: number): number {
  noteIndexWrite(app, version, indexObjectName(namespace));
  return version;
}

/** `?namespace=` of a request, validated; absent means the key's first namespace. */
function queryNamespace(request: RoutedRequest): string | undefined {
  const raw = new URL(request.url).searchParams.get("namespace");
  if (raw === null) return undefined;
  if (!isNamespaceName(raw)) {
    throw new HttpError("invalid_request", "namespace: must match [a-z0-9][a-z0-9_-]{0,62}", {
      param: "namespace",
    });
  }
  return raw;
}

function documentId(request: RoutedRequest): string {
  const raw = request.params.id ?? "";
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError("invalid_request", "document id is not valid URL encoding", {
      param: "id",
    });
  }
}
