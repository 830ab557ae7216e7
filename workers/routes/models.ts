// GET /v1/models and /v1/models/:id: the catalog in OpenAI's list shape, `auto` included. Only
// models this deployment can call are listed (a model whose provider is not configured is not
// on offer); extra fields describe each model for clients that want more than the id.
import type { RoutedRequest } from "../http/routed-request.js";
import type { ModelInfo } from "../../shared/llm/catalog.js";
import type { AppContext } from "../context.js";
import { HttpError } from "../errors.js";
import { json } from "../http/respond.js";
import { getServices } from "../services.js";

// A fixed creation time: the catalog has no dates, and a changing value would defeat caching.
const CREATED = 1_700_000_000;

const AUTO = {
  id: "auto",
  object: "model",
  created: CREATED,
  owned_by: "ragway",
  kind: "chat",
  description: "picks a model per request from task complexity and `priority`",
};

function describe(m: ModelInfo): Record<string, unknown> {
  return {
    id: m.id,
    object: "model",
    created: CREATED,
    owned_by: m.provider === "local" ? "ragway" : m.provider,
    kind: m.kind,
    context_window: m.contextWindow,
    max_output_tokens: m.maxOutputTokens,
    pricing: { input_usd_per_mtok: m.inputUsdPerMTok, output_usd_per_mtok: m.outputUsdPerMTok },
    speed_tier: m.speedTier,
    quality_tier: m.qualityTier,
    ...(m.dimensions !== undefined ? { dimensions: m.dimensions } : {}),
  };
}

function listed(app: AppContext): Array<Record<string, unknown>> {
  const { available } = getServices(app.config);
  return [AUTO, ...app.config.catalog.filter((m) => available.has(m.provider)).map(describe)];
}

export async function getModels(_request: RoutedRequest, app: AppContext): Promise<Response> {
  return json({ object: "list", data: listed(app) });
}

export async function getModel(request: RoutedRequest, app: AppContext): Promise<Response> {
  let id: string;
  try {
    id = decodeURIComponent(request.params.id ?? "");
  } catch {
    throw new HttpError("invalid_request", "model id is not valid URL encoding", { param: "id" });
  }
  const model = listed(app).find((m) => m.id === id);
  if (!model) throw new HttpError("not_found", `model "${id}" does not exist`, { param: "model" });
  return json(model);
}
