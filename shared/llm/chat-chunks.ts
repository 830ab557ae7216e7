// The chat-completion stream's messages read as events: a checked chunk (its content, other
// generated text, usage), `done`, or an `error`. Every byte can be valid and the answer still be
// cut: a stream is complete only when `data: [DONE]` arrived; anything else ends as an error.
import { z } from "zod";
import { absent, isRecord } from "../util/json-values.js";
import { errorMessageOf, toUsage, UsageSchema } from "./openai-wire.js";
import { sseParser, type SseMessage } from "./sse.js";
import type { ChatChunk, StreamEvent, UpstreamFailure } from "./types.js";

const CallDeltaSchema = z.looseObject({
  name: z.string().nullish(),
  arguments: z.string().nullish(),
});

const ChunkSchema = z.looseObject({
  choices: z.array(
    z.looseObject({
      index: z.number().int().nonnegative().optional(),
      delta: z
        .looseObject({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
          tool_calls: z.array(z.looseObject({ function: CallDeltaSchema.nullish() })).nullish(),
          function_call: CallDeltaSchema.nullish(),
        })
        .nullish(),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: UsageSchema.nullish(),
});

/**
 * Reads an OpenAI chat-completion event stream into {@link StreamEvent}s. Ends with `done` after
 * `[DONE]`; with `error` on an error event (`{"error": ...}`, also in a 200), a malformed chunk,
 * a broken connection, or a stream that closed without `[DONE]` (reason `truncated`).
 */
export async function* readChatChunks(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<StreamEvent, void, undefined> {
  // The synchronous parser is driven by this one generator: one async step per read.
  const reader = body.getReader();
  const parser = sseParser();
  let finished = false;
  let sawDone = false;
  try {
    for (;;) {
      let read: ReadableStreamReadResult<Uint8Array>;
      try {
        read = await reader.read();
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        yield { type: "error", failure: truncated(`upstream stream broke: ${detail}`) };
        return;
      }
      finished = read.done;
      for (const message of parser.push(read.done ? null : read.value)) {
        const event = toStreamEvent(message);
        sawDone = event.type === "done";
        yield event;
        if (event.type !== "chunk") return;
      }
      if (read.done) break;
    }
  } finally {
    // After [DONE] the body is read to its end, which the upstream sends right after: a body read
    // through leaves its connection free for the next call, a cancelled one closes it. Whoever
    // ends the generator bounds this read (by aborting the connection, which fails it).
    if (!finished && sawDone) finished = await readToEnd(reader);
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  yield { type: "error", failure: truncated("upstream stream ended before [DONE]") };
}

/** Reads and drops what is left of a body; true when it reached the end. */
async function readToEnd(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<boolean> {
  try {
    while (!(await reader.read()).done) {
      // what follows [DONE] means nothing
    }
    return true;
  } catch {
    return false;
  }
}

/** One SSE message of a chat-completion stream as an event: a chunk, `done`, or an `error`. */
function toStreamEvent({ data, event }: SseMessage): StreamEvent {
  if (data.trim() === "[DONE]") return { type: "done" };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { type: "error", failure: badChunk("upstream sent a chunk that is not JSON") };
  }
  const upstreamError = errorMessageOf(json);
  if (upstreamError !== undefined || event === "error") {
    const detail = upstreamError ?? "unknown";
    return { type: "error", failure: badChunk(`upstream error in stream: ${detail}`) };
  }
  // Relayed as received: the schema only checks the chunk (it has no defaults or transforms), and
  // its output would list the schema's keys first, reordering what the upstream sent.
  const raw = json as Record<string, unknown>;
  const plain = plainChunkContent(json);
  const chunk = plain !== null ? { raw, content: plain } : chunkBySchema(raw);
  if (!chunk) return { type: "error", failure: badChunk("upstream sent a malformed chunk") };
  return { type: "chunk", chunk };
}

/** A parsed chunk checked by ChunkSchema: its content, other generated text and usage, or null
 * when the schema refuses it. */
export function chunkBySchema(raw: Record<string, unknown>): ChatChunk | null {
  const parsed = ChunkSchema.safeParse(raw);
  if (!parsed.success) return null;
  const content = parsed.data.choices.map((c) => c.delta?.content ?? "").join("");
  const otherText = parsed.data.choices.map((c) => generatedBesideContent(c.delta)).join("");
  const chunk: ChatChunk = { raw, content, ...(otherText ? { otherText } : {}) };
  if (parsed.data.usage) chunk.usage = toUsage(parsed.data.usage);
  return chunk;
}

/**
 * The content of a chunk of the common shape, checked without the schema: choices whose delta
 * carries at most text (no tool calls, function call or refusal), and no usage. Every chunk it
 * accepts, ChunkSchema accepts with the same content; anything else (null) goes to the schema.
 * Nearly every chunk of a stream has this shape, and the schema costs more than the rest of a
 * chunk's relay.
 */
export function plainChunkContent(json: unknown): string | null {
  if (!isRecord(json) || !absent(json.usage) || !Array.isArray(json.choices)) return null;
  let content = "";
  for (const choice of json.choices as unknown[]) {
    if (!isRecord(choice)) return null;
    const { index, finish_reason: finish, delta } = choice;
    if (index !== undefined && !(Number.isSafeInteger(index) && (index as number) >= 0)) {
      return null;
    }
    if (!absent(finish) && typeof finish !== "string") return null;
    if (absent(delta)) continue;
    if (!isRecord(delta)) return null;
    if (!absent(delta.refusal) || !absent(delta.tool_calls) || !absent(delta.function_call)) {
      return null;
    }
    const text = delta.content;
    if (typeof text === "string") content += text;
    else if (!absent(text)) return null;
  }
  return content;
}

type Delta = z.infer<typeof ChunkSchema>["choices"][number]["delta"];

/** Tool-call and function-call names and arguments, and refusals, of one delta. */
function generatedBesideContent(delta: Delta): string {
  if (!delta) return "";
  const calls = [...(delta.tool_calls ?? []).map((t) => t.function), delta.function_call];
  let text = delta.refusal ?? "";
  for (const call of calls) text += (call?.name ?? "") + (call?.arguments ?? "");
  return text;
}

function truncated(message: string): UpstreamFailure {
  return { reason: "truncated", message, retryable: false };
}

function badChunk(message: string): UpstreamFailure {
  return { reason: "bad_response", status: 200, message, retryable: false };
}
