// Configuration: one zod schema over vars and secrets, parsed once per isolate. A bad value is a
// clear error naming the variable, never a silent default.
import { z } from "zod";
import { DEFAULT_CATALOG, parseCatalogOverride, type ModelInfo } from "../shared/llm/catalog.js";
import { usableModel } from "../shared/llm/usable-model.js";
import { LIMIT_BOUNDS, type Limits } from "../shared/ratelimit/limits.js";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const positiveInt = (fallback: number) =>
  z.coerce.number().int().positive().optional().default(fallback);

/** A limit from a string var, within the same bounds keys are created with. */
const limit = (bounds: { min: number; max: number }, fallback: number, kind: "int" | "usd") => {
  const n = z.coerce.number().finite().min(bounds.min).max(bounds.max);
  return (kind === "int" ? n.int() : n).optional().default(fallback);
};
const boundedInt = (fallback: number, max: number) =>
  z.coerce.number().int().positive().max(max).optional().default(fallback);
const kvTtl = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(60, "KV refuses expirations under 60 seconds")
    .optional()
    .default(fallback);

const MIB = 1024 * 1024;

/** The development environment's documented admin token (wrangler.toml [env.dev]). */
export const DEV_ADMIN_TOKEN = "ragway-dev-admin-token";
/** Production admin tokens are at least this long: guessing one is hopeless even unthrottled. */
export const MIN_PRODUCTION_ADMIN_TOKEN = 32;

const schema = z
  .object({
    ENVIRONMENT: z.enum(["development", "test", "production"]).default("development"),
    OPENAI_API_KEY: z.string().min(1).optional(),
    OPENAI_BASE_URL: z.url().default("https://api.openai.com/v1"),
    OPENAI_TIMEOUT_MS: positiveInt(30_000),
    ADMIN_TOKEN: z
      .string()
      .min(8, "ADMIN_TOKEN must be at least 8 characters")
      // It travels in an Authorization header, which is refused past 1024 characters.
      .max(1000, "ADMIN_TOKEN must be at most 1000 characters")
      .optional(),
    ALLOW_ANONYMOUS: bool.default(false),
    SEED_SAMPLE_CORPUS: bool.default(false),
    DEFAULT_MODEL: z.string().min(1).default("auto"),
    EMBEDDING_MODEL: z.string().min(1).optional(),
    MODEL_CATALOG: z.string().optional(),
    LOG_QUERIES: bool.default(false),
    METRICS_ENABLED: bool.default(true),
    METRICS_FLUSH_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
    /** How long an isolate holds the index version and purge epochs; 0 reads them every time. */
    CACHE_STATE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(1000),
    METRICS_TOKEN: z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional(),
    MAX_BODY_BYTES: positiveInt(1_000_000),
    // Limits of keys created without their own, and of each anonymous client IP.
    DEFAULT_RPM: limit(LIMIT_BOUNDS.rpm, 60, "int"),
    DEFAULT_TPM: limit(LIMIT_BOUNDS.tpm, 200_000, "int"),
    DEFAULT_DAILY_BUDGET_USD: limit(LIMIT_BOUNDS.dailyBudgetUsd, 5, "usd"),
    DEFAULT_MONTHLY_BUDGET_USD: limit(LIMIT_BOUNDS.monthlyBudgetUsd, 100, "usd"),
    ANONYMOUS_RPM: limit(LIMIT_BOUNDS.rpm, 30, "int"),
    ANONYMOUS_TPM: limit(LIMIT_BOUNDS.tpm, 50_000, "int"),
    ANONYMOUS_DAILY_BUDGET_USD: limit(LIMIT_BOUNDS.dailyBudgetUsd, 0.5, "usd"),
    ANONYMOUS_MONTHLY_BUDGET_USD: limit(LIMIT_BOUNDS.monthlyBudgetUsd, 5, "usd"),
    /** Off (development only) lets anonymous callers skip the limiter, for benchmarks. */
    RATE_LIMITS_ENABLED: bool.default(true),
    /** Comma-separated chat model ids tried, in order, after the first choice fails. */
    FALLBACK_MODELS: z.string().optional(),
    RETRY_MAX_ATTEMPTS: boundedInt(3, 10),
    RETRY_BASE_MS: positiveInt(250),
    RETRY_CAP_MS: positiveInt(4_000),
    UPSTREAM_DEADLINE_MS: positiveInt(60_000),
    BREAKER_FAILURE_THRESHOLD: boundedInt(5, 1_000),
    BREAKER_COOLDOWN_MS: positiveInt(30_000),
    BATCH_CONCURRENCY: boundedInt(6, 50),
    /** Namespaces labelled by name on /metrics; the rest are summed under `other`. */
    METRICS_NAMESPACE_LABELS: boundedInt(20, 500),
    ANSWER_CACHE_MEMORY_TTL_SECONDS: positiveInt(300),
    ANSWER_CACHE_EDGE_TTL_SECONDS: positiveInt(3600),
    ANSWER_CACHE_KV_TTL_SECONDS: kvTtl(86_400),
    ANSWER_CACHE_MEMORY_BYTES: positiveInt(16 * MIB),
    EMBEDDING_CACHE_MEMORY_BYTES: positiveInt(16 * MIB),
    EMBEDDING_CACHE_KV_TTL_SECONDS: kvTtl(30 * 86_400),
    SEMANTIC_CACHE: bool.default(false),
    SEMANTIC_CACHE_THRESHOLD: z.coerce
      .number()
      .gt(0, "must be in (0, 1]")
      .max(1, "must be in (0, 1]")
      .optional()
      .default(0.95),
    /**
     * How long a stream whose client went away is still read for its usage (0: never); past it
     * the connection is closed and the stream billed its full reservation. Workers keep
     * `waitUntil` work alive for 30 s after the response.
     */
    STREAM_DRAIN_MS: z.coerce.number().int().min(0).max(30_000).optional().default(20_000),
    /** Whether callers may send `store: true` (their completions kept in the provider account). */
    ALLOW_STORE: bool.default(false),
  })
  .superRefine((env, ctx) => {
    if (env.ENVIRONMENT === "production" && !env.ADMIN_TOKEN) {
      ctx.addIssue({
        code: "custom",
        path: ["ADMIN_TOKEN"],
        message: "ADMIN_TOKEN is required in production (wrangler secret put ADMIN_TOKEN)",
      });
    }
    if (env.ENVIRONMENT === "production" && env.ADMIN_TOKEN !== undefined) {
      if (env.ADMIN_TOKEN === DEV_ADMIN_TOKEN) {
        ctx.addIssue({
          code: "custom",
          path: ["ADMIN_TOKEN"],
          message: "ADMIN_TOKEN is the published development token; set a secret one in production",
        });
      } else if (env.ADMIN_TOKEN.length < MIN_PRODUCTION_ADMIN_TOKEN) {
        ctx.addIssue({
          code: "custom",
          path: ["ADMIN_TOKEN"],
          message: `ADMIN_TOKEN must be at least ${MIN_PRODUCTION_ADMIN_TOKEN} characters in production (e.g. openssl rand -base64 32)`,
        });
      }
    }
    if (env.ENVIRONMENT === "production" && env.ALLOW_ANONYMOUS) {
      ctx.addIssue({
        code: "custom",
        path: ["ALLOW_ANONYMOUS"],
        message: "ALLOW_ANONYMOUS must be false in production",
      });
    }
    if (env.ENVIRONMENT === "production" && !env.RATE_LIMITS_ENABLED) {
      ctx.addIssue({
        code: "custom",
        path: ["RATE_LIMITS_ENABLED"],
        message: "RATE_LIMITS_ENABLED must be true in production",
      });
    }
    if (env.RETRY_CAP_MS < env.RETRY_BASE_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["RETRY_CAP_MS"],
        message: "RETRY_CAP_MS must be at least RETRY_BASE_MS",
      });
    }
  });

export type RawConfig = z.infer<typeof schema>;

/** The validated configuration plus what is derived from it once. */
export interface Config extends RawConfig {
  providerMode: "local" | "openai";
  catalog: readonly ModelInfo[];
  embeddingModel: string;
  /** Limits of a key created without its own. */
  keyDefaults: Limits;
  /** Limits of each anonymous client (ALLOW_ANONYMOUS). */
  anonymousLimits: Limits;
  /** FALLBACK_MODELS parsed and checked; undefined means "derive the order from the catalog". */
  fallbackModels: readonly string[] | undefined;
}

/** Raised when the deployment's configuration is invalid; the message names each bad variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Validates vars and secrets. Throws ConfigError with every problem listed. */
export function parseConfig(env: Record<string, unknown>): Config {
  const parsed = schema.safeParse(pickStrings(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "env"}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  const cfg = parsed.data;
  let catalog: readonly ModelInfo[] = DEFAULT_CATALOG;
  if (cfg.MODEL_CATALOG) {
    try {
      catalog = parseCatalogOverride(cfg.MODEL_CATALOG);
    } catch (err) {
      throw new ConfigError(`invalid configuration: MODEL_CATALOG: ${(err as Error).message}`);
    }
  }
  const providerMode = cfg.OPENAI_API_KEY ? "openai" : "local";
  const embeddingModel =
    cfg.EMBEDDING_MODEL ??
    (providerMode === "openai" ? "text-embedding-3-small" : "local-hash-embed");
  checkModel("EMBEDDING_MODEL", embeddingModel, "embedding", catalog, providerMode);
  if (cfg.DEFAULT_MODEL !== "auto") {
    checkModel("DEFAULT_MODEL", cfg.DEFAULT_MODEL, "chat", catalog, providerMode);
  }
  const keyDefaults: Limits = {
    rpm: cfg.DEFAULT_RPM,
    tpm: cfg.DEFAULT_TPM,
    dailyBudgetUsd: cfg.DEFAULT_DAILY_BUDGET_USD,
    monthlyBudgetUsd: cfg.DEFAULT_MONTHLY_BUDGET_USD,
  };
  const anonymousLimits: Limits = {
    rpm: cfg.ANONYMOUS_RPM,
    tpm: cfg.ANONYMOUS_TPM,
    dailyBudgetUsd: cfg.ANONYMOUS_DAILY_BUDGET_USD,
    monthlyBudgetUsd: cfg.ANONYMOUS_MONTHLY_BUDGET_USD,
  };
  const fallbackModels = parseFallbackModels(cfg.FALLBACK_MODELS, catalog, providerMode);
  return {
    ...cfg,
    providerMode,
    catalog,
    embeddingModel,
    keyDefaults,
    anonymousLimits,
    fallbackModels,
  };
}

/** Each id must be a chat model in the catalog whose provider this deployment has. */
function parseFallbackModels(
  raw: string | undefined,
  catalog: readonly ModelInfo[],
  providerMode: "local" | "openai",
): readonly string[] | undefined {
  if (raw === undefined) return undefined;
  const ids = raw
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
  for (const id of ids) checkModel("FALLBACK_MODELS", id, "chat", catalog, providerMode);
  if (new Set(ids).size !== ids.length) {
    throw new ConfigError("invalid configuration: FALLBACK_MODELS: lists a model twice");
  }
  return ids;
}

/** Throws a ConfigError naming `variable` unless `id` is a usable model of `kind`. */
function checkModel(
  variable: string,
  id: string,
  kind: ModelInfo["kind"],
  catalog: readonly ModelInfo[],
  providerMode: "local" | "openai",
): void {
  const available = new Set<ModelInfo["provider"]>(
    providerMode === "openai" ? ["local", "openai"] : ["local"],
  );
  const checked = usableModel(id, kind, catalog, available);
  if (checked.ok) return;
  const problem =
    checked.reason === "unknown"
      ? `is not ${kind === "embedding" ? "an embedding" : "a chat"} model in the catalog`
      : "needs OPENAI_API_KEY";
  throw new ConfigError(`invalid configuration: ${variable}: "${id}" ${problem}`);
}

/** Keeps only non-empty string entries: bindings (KV, DOs) are not configuration, and an empty
 * value means "unset" (so `OPENAI_API_KEY=` in .dev.vars selects the local provider). */
function pickStrings(env: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (typeof value === "string" && value !== "") out[key] = value;
  }
  return out;
}

const memo = new WeakMap<object, Config>();

/** Parses `env` once per isolate (the env object is stable for an isolate's life). */
export function getConfig(env: object): Config {
  const cached = memo.get(env);
  if (cached) return cached;
  const config = parseConfig(env as Record<string, unknown>);
  memo.set(env, config);
  return config;
}
