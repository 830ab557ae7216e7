// Long-lived services built once per isolate from the validated config: the token counter and
// its memo of long texts' counts, providers and the index stub. Building the OpenAI client or
// encoder per request would be waste.
import type { Config } from "./env.js";
import type { ModelInfo } from "../shared/llm/catalog.js";
import { createCircuitBreaker, type CircuitBreaker } from "../shared/llm/circuit-breaker.js";
import { validateRetryPolicy, type RetryPolicy } from "../shared/llm/retry.js";
import { createLocalProvider } from "../shared/llm/local-provider.js";
import { createOpenAIProvider } from "../shared/llm/openai-provider.js";
import type { Provider } from "../shared/llm/types.js";
import { createTokenCounter, type TokenCounter } from "../shared/tokens/count.js";
import { createCountMemo, type CountMemo } from "../shared/tokens/count-memo.js";
import type { IndexObject } from "./do/index-object.js";

export interface Services {
  counter: TokenCounter;
  /** Counts of long texts each caller sent lately: a conversation's history, an agent's context. */
  countMemo: CountMemo;
  local: Provider;
  openai: Provider | null;
  /** Providers that can serve requests in this deployment. */
  available: ReadonlySet<ModelInfo["provider"]>;
  providerFor(model: ModelInfo): Provider;
  retryPolicy: RetryPolicy;
  /**
   * Per-model breakers in this isolate's memory. Each isolate learns about a failing model on
   * its own (a few failed calls each), which beats a Durable Object round trip on every call;
   * an isolate that is recycled simply starts closed again.
   */
  breaker: CircuitBreaker;
}

const memo = new WeakMap<Config, Services>();

/** The services for this config, created on first use. */
export function getServices(config: Config): Services {
  const cached = memo.get(config);
  if (cached) return cached;
  const local = createLocalProvider();
  const openai = config.OPENAI_API_KEY
    ? createOpenAIProvider({
        apiKey: config.OPENAI_API_KEY,
        baseURL: config.OPENAI_BASE_URL,
      })
    : null;
  const services: Services = {
    counter: createTokenCounter(),
    countMemo: createCountMemo(),
    local,
    openai,
    available: new Set<ModelInfo["provider"]>(openai ? ["local", "openai"] : ["local"]),
    providerFor: (model) => (model.provider === "openai" && openai ? openai : local),
    retryPolicy: validateRetryPolicy({
      maxAttempts: config.RETRY_MAX_ATTEMPTS,
      baseMs: config.RETRY_BASE_MS,
      capMs: config.RETRY_CAP_MS,
      attemptTimeoutMs: config.OPENAI_TIMEOUT_MS,
    }),
    breaker: createCircuitBreaker({
      failureThreshold: config.BREAKER_FAILURE_THRESHOLD,
      cooldownMs: config.BREAKER_COOLDOWN_MS,
      now: () => Date.now(),
    }),
  };
  memo.set(config, services);
  return services;
}

/** The name of the document index's INDEX object (one per namespace once namespaces exist). */
export const INDEX_NAME = "main";

/** The INDEX Durable Object named `name` (default: the one global index). */
export function indexStub(env: Env, name = INDEX_NAME): DurableObjectStub<IndexObject> {
  return env.INDEX.get(env.INDEX.idFromName(name));
}
