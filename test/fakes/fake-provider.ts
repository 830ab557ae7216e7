// A scripted Provider: per model, a list of steps ("ok" or a failure; the last one repeats) for
// chat and completion calls, and recorded requests, so tests can see who was called with what.
import type {
  ChatRequest,
  CompletionRequest,
  Provider,
  StreamEvent,
  UpstreamFailure,
} from "../../shared/llm/types.js";

export type Step = "ok" | UpstreamFailure | { stream: StreamEvent[] };

export class FakeProvider implements Provider {
  readonly name = "openai" as const;
  readonly chats: ChatRequest[] = [];
  readonly completions: CompletionRequest[] = [];

  constructor(private readonly scripts: Record<string, Step[]> = {}) {}

  private step(model: string, count: number): Step {
    const script = this.scripts[model] ?? ["ok"];
    return script[count - 1] ?? script.at(-1) ?? "ok";
  }

  private calls(model: string): number {
    return [...this.chats, ...this.completions].filter((r) => r.model === model).length;
  }

  /** How many times `model` was called, by any method. */
  count(model: string): number {
    return this.calls(model);
  }

  async embed() {
    return {
      ok: false as const,
      failure: { reason: "bad_request" as const, message: "no", retryable: false },
    };
  }

  async chat(request: ChatRequest) {
    this.chats.push(request);
    const step = this.step(request.model, this.calls(request.model));
    if (step === "ok" || "stream" in step) {
      return {
        ok: true as const,
        value: {
          model: request.model,
          text: `answer from ${request.model} [1]`,
          finishReason: "stop",
          usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
        },
      };
    }
    return { ok: false as const, failure: step };
  }

  async chatCompletion(request: CompletionRequest) {
    this.completions.push(request);
    const step = this.step(request.model, this.calls(request.model));
    if (step !== "ok" && !("stream" in step)) return { ok: false as const, failure: step };
    const text = `completion from ${request.model}`;
    return {
      ok: true as const,
      value: {
        body: {
          object: "chat.completion",
          model: request.model,
          choices: [
            { index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" },
          ],
        },
        text,
      },
    };
  }

  async chatCompletionStream(request: CompletionRequest) {
    this.completions.push(request);
    const step = this.step(request.model, this.calls(request.model));
    if (step !== "ok" && !("stream" in step)) return { ok: false as const, failure: step };
    const events: StreamEvent[] =
      step === "ok"
        ? [
            {
              type: "chunk",
              chunk: { raw: { choices: [{ index: 0, delta: { content: "hi" } }] }, content: "hi" },
            },
            { type: "done" },
          ]
        : step.stream;
    async function* play(): AsyncGenerator<StreamEvent, void, undefined> {
      for (const e of events) yield e;
    }
    return { ok: true as const, value: play() };
  }
}
