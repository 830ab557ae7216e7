// Time a request spends waiting on upstream providers, so what the gateway itself adds
// (`ragway_gateway_overhead_seconds`) is the request's time minus this. A stream counts until
// the upstream accepted it: what follows is relayed after the response was handed over.
import type { Provider } from "../shared/llm/types.js";
import type { AppContext } from "./context.js";

/** The provider as a request uses it: timed when it is an upstream (the local one is not). */
export function upstreamFor(app: AppContext, provider: Provider): Provider {
  return provider.name === "local" ? provider : timedProvider(app, provider);
}

/** `provider` with every call's wait added to `app.upstreamMs`. */
export function timedProvider(app: AppContext, provider: Provider): Provider {
  const timed =
    <A, R>(call: (arg: A) => Promise<R>) =>
    async (arg: A): Promise<R> => {
      const started = performance.now();
      try {
        return await call(arg);
      } finally {
        app.upstreamMs += performance.now() - started;
      }
    };
  return {
    name: provider.name,
    embed: timed((r) => provider.embed(r)),
    chat: timed((r) => provider.chat(r)),
    chatCompletion: timed((r) => provider.chatCompletion(r)),
    chatCompletionStream: timed((r) => provider.chatCompletionStream(r)),
  };
}
