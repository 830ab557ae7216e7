// GET /health: liveness, answered by the isolate alone (no Durable Object call, no key), so an
// uptime check costs nothing and says only whether this deployment serves requests. Index counts
// are in the admin stats (GET /v1/stats).
import type { RoutedRequest } from "../http/routed-request.js";
import type { AppContext } from "../context.js";
import { json } from "../http/respond.js";
import { VERSION } from "../version.js";

export async function getHealth(_request: RoutedRequest, app: AppContext): Promise<Response> {
  return json({
    status: "ok",
    version: VERSION,
    environment: app.config.ENVIRONMENT,
    provider: app.config.providerMode,
    embedding_model: app.config.embeddingModel,
  });
}
