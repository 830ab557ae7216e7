// Server-Sent Events in OpenAI's chat-chunk dialect: parse an upstream byte stream into chunks,
// serialize chunks and errors for the client. Every byte can be valid and the answer still be cut:
// a stream is complete only when `data: [DONE]` arrived; anything else ends as an error event.
import { z } from "zod";
import type { ChatChunk, StreamEvent, UpstreamFailure, Usage } from "./types.js";

/** One dispatched SSE message. */
export interface SseMessage {
  event: string | null;
  data: string;
}

/**
 * An incremental SSE parser by the WHATWG rules: LF, CRLF or CR line ends (also split across
 * reads), `data:` lines joined with "\n", `event:`, comments and unknown fields ignored, one
 * leading space stripped from values. `push` takes the next bytes (null at the end of the stream)
 * and returns the messages they completed; at the end, a message still pending is dispatched (a
 * final `data: [DONE]` without its blank line is common). Synchronous, so a reader of chunks
 * pays for one async step per read, not one per parsed message.
 */
export function sseParser(): { push(bytes: Uint8Array | null): SseMessage[] } {
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  let event: string | null = null;
  const take = (line: string): SseMessage | null => {
    if (line === "") {
      const message = data.length > 0 ? { event, data: data.join("\n") } : null;
      data = [];
      event = null;
      return message;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    return null;
  };
  return {
    push(bytes) {
      const done = bytes === null;
      buffer += done ? decoder.decode() : decoder.decode(bytes, { stream: true });
      const out: SseMessage[] = [];
      let start = 0;
      // Each line end is searched for once per push (a search that finds none is not repeated
      // for every line: upstreams send LF only, and a read can hold many events).
      let cr = buffer.indexOf("\r");
      let lf = buffer.indexOf("\n");
      for (;;) {
        if (cr !== -1 && cr < start) cr = buffer.indexOf("\r", start);
        if (lf !== -1 && lf < start) lf = buffer.indexOf("\n", start);
        const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
        if (end === -1) break;
        // A CR at the very end may be half of a CRLF: wait for the next read to decide.
        if (end === cr && end === buffer.length - 1 && !done) break;
        const line = buffer.slice(start, end);
        start = end + (end === cr && buffer[end + 1] === "\n" ? 2 : 1);
        const message = take(line);
        if (message) out.push(message);
      }
      buffer = buffer.slice(start);
      if (done) {
        if (buffer !== "") take(buffer);
        buffer = "";
        const pending = take("");
        if (pending) out.push(pending);
      }
      return out;
    },
  };
}

/**
 * Parses an SSE byte stream into its messages (see {@link sseParser} for the rules). Returning
 * early cancels the body.
 */
export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const parser = sseParser();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      finished = done;
      for (const message of parser.push(done ? null : value)) yield message;
      if (done) break;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

// Detail objects are kept as sent (numeric fields only): they change the price and the client
// may read them.
const TokenDetailsSchema = z
  .record(z.string(), z.unknown())
  .transform((d) =>
    Object.fromEntries(
      Object.entries(d).filter(
        (e): e is [string, number] => typeof e[1] === "number" && Number.isFinite(e[1]),
      ),
    ),
  );

/** OpenAI's `usage` object as received (also in non-streamed bodies). */
export const UsageSchema = z.object({
  prompt_tokens: z.number().nonnegative(),
  completion_tokens: z.number().nonnegative().optional(),
  total_tokens: z.number().nonnegative().optional(),
  prompt_tokens_details: TokenDetailsSchema.nullish(),
  completion_tokens_details: TokenDetailsSchema.nullish(),
});

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

/** Usage as the gateway records it, from OpenAI's (possibly partial) usage object. */
export function toUsage(u: z.output<typeof UsageSchema>): Usage {
  const completion = u.completion_tokens ?? 0;
  return {
    prompt_tokens: u.prompt_tokens,
    completion_tokens: completion,
    total_tokens: u.total_tokens ?? u.prompt_tokens + completion,
    ...(u.prompt_tokens_details ? { prompt_tokens_details: u.prompt_tokens_details } : {}),
    ...(u.completion_tokens_details
      ? { completion_tokens_details: u.completion_tokens_details }
      : {}),
  };
}

/**
 * Reads an OpenAI chat-completion event stream into {@link StreamEvent}s. Ends with `done` after
 * `[DONE]`; with `error` on an error event (`{"error": ...}`, also in a 200), a malformed chunk,
 * a broken connection, or a stream that closed without `[DONE]` (reason `truncated`).
 */
export async function* readChatChunks(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<StreamEvent, void, undefined> {
  // The parser is driven here, not through parseSse: one async generator per chunk, not two.
  const reader = body.getReader();
  const parser = sseParser();
  let finished = false;
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
        yield event;
        if (event.type !== "chunk") return;
      }
      if (read.done) break;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  yield { type: "error", failure: truncated("upstream stream ended before [DONE]") };
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

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const absent = (v: unknown): boolean => v === undefined || v === null;

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

/** The message of an `{error: ...}` body, if the value is one. Some gateways send these with 200. */
export function errorMessageOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || !("error" in body)) return undefined;
  const error: unknown = body.error;
  if (error === null || error === undefined) return undefined;
  if (typeof error === "string") return error;
  const inner = typeof error === "object" && "message" in error ? error.message : undefined;
  return typeof inner === "string" ? inner : "unknown";
}

function truncated(message: string): UpstreamFailure {
  return { reason: "truncated", message, retryable: false };
}

function badChunk(message: string): UpstreamFailure {
  return { reason: "bad_response", status: 200, message, retryable: false };
}

const encoder = new TextEncoder();

/** One `data:` event with a JSON payload. */
export function sseData(value: unknown): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(value)}\n\n`);
}

/** The terminal marker of a complete stream. */
export const SSE_DONE: Uint8Array = encoder.encode("data: [DONE]\n\n");

/**
 * The event that ends a failed stream, in the shape OpenAI uses mid-stream (`{"error": {...}}`,
 * which the official SDKs raise as an error). No `[DONE]` follows it.
 */
export function sseError(message: string, code: string): Uint8Array {
  return sseData({ error: { message, type: "api_error", code, param: null } });
}
