// GET /health: liveness, version, provider mode and index size. Never requires a key.
import type { IRequest } from "itty-router";
import type { AppContext } from "../context.js";
import { json } from "../http/respond.js";
import { ensureSeeded } from "../seed.js";
import { indexStub } from "../services.js";
import { VERSION } from "../version.js";

export async function getHealth(_request: IRequest, app: AppContext): Promise<Response> {
  await ensureSeeded(app);
  const stats = await indexStub(app.env).stats();
  return json({
    status: "ok",
    version: VERSION,
    environment: app.config.ENVIRONMENT,
    provider: app.config.providerMode,
    embedding_model: app.config.embeddingModel,
    index: { documents: stats.documents, chunks: stats.chunks, version: stats.version },
  });
}
