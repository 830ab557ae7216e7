// /v1/documents: ingest (chunk, embed, upsert), look up, read and delete documents in the INDEX
// object. Lookup lets a client (the ingest CLI) skip unchanged documents without sending them.
import type { IRequest } from "itty-router";
import { IngestRequestSchema, LookupRequestSchema } from "../../shared/api/schemas.js";
import { costUsd, findModel } from "../../shared/llm/catalog.js";
import { ingestDocuments } from "../../shared/rag/ingest.js";
import type { AppContext } from "../context.js";
import { embedderFor } from "../embedder.js";
import { HttpError } from "../errors.js";
import { readJson } from "../http/read-json.js";
import { json } from "../http/respond.js";
import { ensureAdmitted } from "../limits/admission.js";
import { releasedOnFailure, spendHold } from "../limits/spend.js";
import { getServices, indexStub } from "../services.js";
import { noteIndexWrite } from "../cache/cache-state.js";
import { upstreamFailureError } from "../upstream-error.js";

/** Ingest bodies carry whole documents, so their limit is larger than other routes'. */
const MAX_INGEST_BYTES = 10 * 1024 * 1024;

export async function postDocuments(request: IRequest, app: AppContext): Promise<Response> {
  // Admitted (and counted) before up to 10 MB is parsed, hashed and tokenised; the embeddings
  // are reserved before any is made.
  await ensureAdmitted(app);
  const body = await readJson(request, IngestRequestSchema, MAX_INGEST_BYTES);
  const index = indexStub(app.env);
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
      embed: embedderFor(app),
      existing: (ids) => index.hashes(ids),
      store: async (docs) => {
        const stored = await index.upsert(docs);
        noteIndexWrite(app, stored.version);
        return stored;
      },
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
    documents,
    index_version: version ?? (await index.stats()).version,
    usage: { embedding_tokens: embeddingTokens },
  });
}

/** POST /v1/documents/lookup: which of these ids exist, with their hashes and metadata. */
export async function postDocumentsLookup(request: IRequest, app: AppContext): Promise<Response> {
  const body = await readJson(request, LookupRequestSchema, app.config.MAX_BODY_BYTES);
  const found = await indexStub(app.env).lookup(body.ids);
  const present = new Set(found.map((d) => d.id));
  app.logFields.documents = body.ids.length;
  return json({
    object: "list",
    embedding_model: app.config.embeddingModel,
    documents: found,
    missing: [...new Set(body.ids.filter((id) => !present.has(id)))],
  });
}

export async function getDocument(request: IRequest, app: AppContext): Promise<Response> {
  const id = documentId(request);
  const doc = await indexStub(app.env).getDocument(id);
  if (!doc) throw new HttpError("not_found", `document "${id}" not found`, { param: "id" });
  return json({ object: "document", ...doc });
}

export async function deleteDocument(request: IRequest, app: AppContext): Promise<Response> {
  const id = documentId(request);
  const result = await indexStub(app.env).deleteDocument(id);
  noteIndexWrite(app, result.version);
  if (!result.deleted)
    throw new HttpError("not_found", `document "${id}" not found`, { param: "id" });
  return json({ object: "document.deleted", id, deleted: true, index_version: result.version });
}

function documentId(request: IRequest): string {
  const raw = request.params.id ?? "";
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError("invalid_request", "document id is not valid URL encoding", {
      param: "id",
    });
  }
}
