// OpenAI-compatible chat completions through the gateway: choose the model, build the fallback
// chain, and call it, non-streamed or streamed. A stream counts as answered once its first chunk
// arrived: until then a failure retries or falls back, after it the relay owns the outcome.
import type { TokenCounter } from "../tokens/count.js";
import type { Spend } from "../util/spend.js";
import { countBounded } from "../tokens/count-bounded.js";
import { costUsd, type ModelInfo } from "./catalog.js";
import { countRequestPrompt, promptTokensFor, type PromptCount } from "../tokens/request-prompt.js";
import { contentText, lastUserText, toPlainMessages } from "./chat-messages.js";
import { classifyTask, type TaskProfile } from "./classify-task.js";
import { fallbackChain, runFallback, type FallbackResult, type Resilience } from "./fallback.js";
import { selectModel, type Priority } from "./select-model.js";
import { usableModel } from "./usable-model.js";
import type {
  ChatChunk,
  Completion,
  CompletionBody,
  Outcome,
  Provider,
  StreamEvent,
  Usage,
} from "./types.js";

/** Completion room reserved for the window check when the caller sets no cap. */
const DEFAULT_REPLY_RESERVE = 256;
/** Text scanned for code besides the ask, at most (classification must stay cheap). */
const MAX_SCAN_CHARS = 20_000;

export interface ChatDeps {
  catalog: readonly ModelInfo[];
  available: ReadonlySet<ModelInfo["provider"]>;
  /** The chat route passes its caller's memo of counts (shared/tokens/count-memo), so what the
   * caller sent before, and the ask counted a second time here, are not counted again. */
  counter: TokenCounter;
  providerFor(model: ModelInfo): Provider;
  resilience: Resilience;
  /** The deployment's fallback order (FALLBACK_MODELS), if configured. */
  fallbackModels?: readonly string[];
}

/** A chat request after planning: what to send, to whom, in what order, and why. */
export interface ChatPlan {
  body: CompletionBody;
  chain: ModelInfo[];
  /** Why the first link was chosen (the `x-model-reason` header). */
  reason: string;
  task: TaskProfile;
  /** Every part of the prompt, counted (images by model: see `billedPromptTokens`). */
  prompt: PromptCount;
  /** The prompt's tokens with images at GPT-4o's rule: for context-window checks. */
  promptTokens: number;
  fits: (model: ModelInfo) => boolean;
}

export type PlanResult =
  | { ok: true; plan: ChatPlan }
  | {
      ok: false;
      message: string;
      param: string;
      code: "invalid_request" | "context_length_exceeded";
    };

/**
 * Plans a chat completion: counts the prompt, classifies the task, picks the first model
 * (`requested` is a catalog id or `auto`) and the chain behind it, and checks that at least one
 * link has a context window (and completion cap) big enough.
 */
export function planChat(
  requested: string,
  priority: Priority,
  body: CompletionBody,
  deps: ChatDeps,
): PlanResult {
  if (requested !== "auto") {
    const explicit = usableModel(requested, "chat", deps.catalog, deps.available);
    if (!explicit.ok)
      return { ok: false, message: explicit.message, param: "model", code: "invalid_request" };
  }
  const messages = toPlainMessages(body.messages);
  const prompt = countRequestPrompt(body, deps.counter);
  const promptTokens = promptTokensFor(prompt);
  const question = lastUserText(messages);
  // Counted again alone: a counter that remembers (the chat route's) answers from memory.
  const questionTokens = countBounded(question, deps.counter);
  const task = classifyTask({
    question,
    questionTokens,
    contextTokens: Math.max(0, promptTokens - questionTokens),
    extraText: scannedText(body.messages),
  });
  const cap = completionCap(body);
  const fits = (model: ModelInfo): boolean =>
    (cap === undefined || cap <= model.maxOutputTokens) &&
    promptTokens + (cap ?? Math.min(DEFAULT_REPLY_RESERVE, model.maxOutputTokens)) <=
      model.contextWindow;

  const choice = selectModel(requested, priority, deps.catalog, deps.available, {
    task,
    tokensNeeded: promptTokens + (cap ?? DEFAULT_REPLY_RESERVE),
  });
  if (!choice.ok)
    return { ok: false, message: choice.message, param: "model", code: "invalid_request" };
  const chain = fallbackChain(choice.model, {
    catalog: deps.catalog,
    available: deps.available,
    priority,
    complexity: task.complexity,
    ...(deps.fallbackModels ? { configured: deps.fallbackModels } : {}),
  });
  if (!chain.some(fits)) {
    const largest = Math.max(...chain.map((m) => m.contextWindow));
    return {
      ok: false,
      code: "context_length_exceeded",
      param: "messages",
      message:
        `the prompt has ${promptTokens} tokens${cap !== undefined ? ` and asks for ${cap} more` : ""}, ` +
        `more than any model in the chain can take (largest context window: ${largest})`,
    };
  }
  return {
    ok: true,
    plan: { body, chain, reason: choice.reason, task, prompt, promptTokens, fits },
  };
}

/** The messages' text joined by newlines, up to MAX_SCAN_CHARS (built no further than that). */
function scannedText(messages: readonly unknown[]): string {
  let text = "";
  for (const [i, m] of messages.entries()) {
    if (i > 0) text += "\n";
    text += contentText((m as { content?: unknown }).content);
    if (text.length >= MAX_SCAN_CHARS) break;
  }
  return text.slice(0, MAX_SCAN_CHARS);
}

/** How a completion is called: its time budget, and the caller's limits per link. */
export interface ChatCallOptions {
  deadlineAt: number;
  signal?: AbortSignal;
  /** False when the caller's limits cannot cover a link: it is skipped (see FallbackWalk). */
  admit?: (model: ModelInfo) => Promise<boolean>;
}

/** Calls the chain for a non-streamed completion; usage is always filled in (counted when the
 * provider reported none). */
export async function completeChat(
  plan: ChatPlan,
  deps: ChatDeps,
  opts: ChatCallOptions,
): Promise<FallbackResult<Completion & { usage: Usage }>> {
  const result = await runFallback(
    plan.chain,
    {
      call: (model, signal) =>
        deps.providerFor(model).chatCompletion({ model: model.id, body: plan.body, signal }),
      fits: plan.fits,
      ...(opts.admit ? { admit: opts.admit } : {}),
      deadlineAt: opts.deadlineAt,
      ...(opts.signal ? { signal: opts.signal } : {}),
    },
    deps.resilience,
  );
  if (!result.ok) return result;
  const usage =
    result.value.usage ??
    countedUsage(billedPromptTokens(plan, result.model), result.value.text, deps.counter);
  const completion = { ...result.value, usage, body: { ...result.value.body, usage } };
  return { ...result, value: completion };
}

/** A stream that produced its first chunk; `rest` yields the remaining events. */
export interface OpenedStream {
  first: ChatChunk;
  rest: AsyncGenerator<StreamEvent, void, undefined>;
  /** Closes the upstream connection, even while a read is pending. */
  abort(): void;
}

/**
 * Calls the chain for a streamed completion, up to its first chunk. A stream whose first event is
 * an error (an error body in a 200, a cut before any chunk) is a failed try like any other.
 */
export async function openChatStream(
  plan: ChatPlan,
  deps: ChatDeps,
  opts: ChatCallOptions,
): Promise<FallbackResult<OpenedStream>> {
  return runFallback(
    plan.chain,
    {
      call: async (model, attemptSignal): Promise<Outcome<OpenedStream>> => {
        // The try's signal stops mattering once the first chunk is in; this one outlives it so
        // the relay can still close the connection later.
        const connection = new AbortController();
        const abort = (): void => connection.abort();
        attemptSignal.addEventListener("abort", abort, { once: true });
        const opened = await deps
          .providerFor(model)
          .chatCompletionStream({ model: model.id, body: plan.body, signal: connection.signal });
        if (!opened.ok) return opened;
        const events = opened.value;
        const first = await events.next();
        if (!first.done && first.value.type === "chunk") {
          attemptSignal.removeEventListener("abort", abort);
          return { ok: true, value: { first: first.value.chunk, rest: events, abort } };
        }
        // A failed try: its connection is closed, not read on.
        abort();
        await events.return(undefined);
        if (!first.done && first.value.type === "error")
          return { ok: false, failure: first.value.failure };
        return {
          ok: false,
          failure: {
            reason: "bad_response",
            status: 200,
            message: "upstream stream ended without a chunk",
            retryable: false,
          },
        };
      },
      fits: plan.fits,
      ...(opts.admit ? { admit: opts.admit } : {}),
      deadlineAt: opts.deadlineAt,
      ...(opts.signal ? { signal: opts.signal } : {}),
    },
    deps.resilience,
  );
}

/**
 * The most a completion on `model` may use, to reserve before calling it: the prompt (see
 * {@link billedPromptTokens}) plus the completion cap (the caller's, else the most the model can
 * write within its window) times `n`, at the model's full input and output prices.
 */
export function linkSpend(plan: ChatPlan, model: ModelInfo): Spend {
  const usage = worstCaseUsage(plan, model);
  return { tokens: usage.total_tokens, usd: costUsd(model, usage) };
}

/**
 * The usage behind {@link linkSpend}: what a call on `model` can bill at most. A stream whose
 * client left before its usage could be read is billed this.
 */
export function worstCaseUsage(plan: ChatPlan, model: ModelInfo): Usage {
  const cap = completionCap(plan.body);
  const choices = typeof plan.body.n === "number" ? plan.body.n : 1;
  const room = Math.max(0, model.contextWindow - plan.promptTokens);
  const completion = Math.min(cap ?? model.maxOutputTokens, model.maxOutputTokens, room) * choices;
  const prompt = billedPromptTokens(plan, model);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}

/**
 * The prompt tokens `model` can bill for this request: its text, its images by the model's
 * vision rule, and, when a part cannot be sized before the call (a file, audio), the model's
 * whole context window, the most any prompt can be.
 */
export function billedPromptTokens(plan: ChatPlan, model: ModelInfo): number {
  const known = promptTokensFor(plan.prompt, model.vision);
  return plan.prompt.unsizedParts > 0 ? Math.max(known, model.contextWindow) : known;
}

/** Usage from exact counts, for answers whose provider reported none. */
export function countedUsage(promptTokens: number, text: string, counter: TokenCounter): Usage {
  const completion = countBounded(text, counter);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completion,
    total_tokens: promptTokens + completion,
  };
}

function completionCap(body: CompletionBody): number | undefined {
  const cap = body.max_completion_tokens ?? body.max_tokens;
  return typeof cap === "number" ? cap : undefined;
}
