// Mock OpenAI-compatible upstream: a real Node HTTP server for integration, e2e and bench runs.
// Everything is deterministic (answers, vectors, injected errors via a seeded PRNG) so runs reproduce.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { seeded } from "../support/seeded-random.js";

/** Faults to inject; `configure()` and `POST /_mock/faults` replace the whole set. */
export interface Faults {
  /** Delay before answering every /v1 request. */
  latencyMs?: number;
  /** Share (0..1) of targeted chat/embedding requests that fail. Defaults to 1 when
   * `errorStatus`, `failModels`, `failFirst`, `failInputsContaining` or `errorInBody200` is set,
   * else 0. Drawn from a seeded PRNG. */
  errorRate?: number;
  /** Status of injected errors (default 500); an array is used round-robin. */
  errorStatus?: number | number[];
  /** The `error.message` of injected errors (default "Injected <status> error"). */
  errorMessage?: string;
  /** Sent as `Retry-After` on injected errors. */
  retryAfter?: string;
  /** Sent as `retry-after-ms` on injected errors. */
  retryAfterMs?: number;
  /** Accept the request, then wait this long before answering (to exceed a client timeout). */
  hangMs?: number;
  /** Stream this many content chunks, then destroy the socket without `[DONE]`. */
  cutStreamAfterChunks?: number;
  /** Injected errors answer 200 with an `{error}` body (an SSE `error` event when streaming). */
  errorInBody200?: boolean;
  /** Reported usage overrides (to simulate expensive calls), details included when set. */
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    /** Reported as `prompt_tokens_details.cached_tokens`. */
    cached_tokens?: number;
    /** Reported as `completion_tokens_details.reasoning_tokens`. */
    reasoning_tokens?: number;
  };
  /** Never report usage, even when a stream asked for it (an upstream without the option). */
  omitUsage?: boolean;
  /** Only requests for these models are targeted by error injection; others succeed. */
  failModels?: string[];
  /** Only the first N targeted requests fail; later ones succeed (e.g. one 429, then an answer). */
  failFirst?: number;
  /** Only embedding requests with an input containing this text are targeted (a poison input). */
  failInputsContaining?: string;
  /** Seed of the error PRNG (default 1); the same seed gives the same failure sequence. */
  seed?: number;
  /** Pause between streamed chunks (default 0). */
  streamChunkDelayMs?: number;
}

/** Requests served since start or the last reset, including injected errors. */
export interface Counts {
  total: number;
  chat: number;
  chatStream: number;
  embeddings: number;
  embeddingInputs: number;
  models: number;
  errors: number;
  /** Requests whose client closed the connection while the mock was still waiting to answer. */
  abandoned: number;
  /** TCP connections accepted: a client that reuses its connections opens few. */
  connections: number;
  byModel: Record<string, number>;
}

/** One request as received (the last 200 are kept), for asserting what a client sent. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A running mock upstream. `url` ends in `/v1`, ready to be an OpenAI `baseURL`. */
export interface MockUpstream {
  url: string;
  port: number;
  close(): Promise<void>;
  counts(): Counts;
  /** Clears counts and recorded requests, restores the start faults and reseeds the PRNG. */
  reset(): void;
  configure(faults: Faults): void;
  requests(): RecordedRequest[];
}

const status = z.number().int().min(400).max(599);
const nonNeg = z.number().min(0);
const faultsSchema = z.strictObject({
  latencyMs: nonNeg.optional(),
  errorRate: z.number().min(0).max(1).optional(),
  errorStatus: z.union([status, z.array(status).min(1)]).optional(),
  errorMessage: z.string().optional(),
  retryAfter: z.string().optional(),
  retryAfterMs: nonNeg.optional(),
  hangMs: nonNeg.optional(),
  cutStreamAfterChunks: z.number().int().min(0).optional(),
  errorInBody200: z.boolean().optional(),
  usage: z
    .strictObject({
      prompt_tokens: z.number().int().min(0).optional(),
      completion_tokens: z.number().int().min(0).optional(),
      cached_tokens: z.number().int().min(0).optional(),
      reasoning_tokens: z.number().int().min(0).optional(),
    })
    .optional(),
  omitUsage: z.boolean().optional(),
  failModels: z.array(z.string()).optional(),
  failFirst: z.number().int().min(0).optional(),
  failInputsContaining: z.string().min(1).optional(),
  seed: z.number().int().optional(),
  streamChunkDelayMs: nonNeg.optional(),
}) satisfies z.ZodType<Faults>;

const contentPart = z.object({
  type: z.string(),
  text: z.string().optional(),
  image_url: z.object({ url: z.string(), detail: z.string().optional() }).optional(),
});
const chatSchema = z.object({
  model: z.string().min(1),
  messages: z
    .array(
      z.object({
        role: z.string(),
        content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
      }),
    )
    .min(1),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  tools: z
    .array(z.object({ type: z.string(), function: z.object({ name: z.string() }).optional() }))
    .optional(),
  tool_choice: z.unknown().optional(),
});
const embeddingsSchema = z.object({
  model: z.string().min(1),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(z.number()).min(1),
    z.array(z.array(z.number())).min(1),
  ]),
  dimensions: z.number().int().min(1).max(8192).optional(),
  encoding_format: z.enum(["float", "base64"]).optional(),
});

const MODEL_IDS = [
  "gpt-4o-mini",
  "gpt-4o",
  "gpt-4.1-mini",
  "gpt-4.1-nano",
  "text-embedding-3-small",
  "text-embedding-3-large",
];
const DEFAULT_DIMENSIONS = 1536;
const MAX_RECORDED = 200;

/** FNV-1a over UTF-16 code units: the seed of a text's vector. */
function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function mockVector(text: string, dims: number): Float32Array {
  const rand = seeded(hashText(text));
  const v = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    const x = rand() * 2 - 1;
    v[i] = x;
    norm += x * x;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dims; i++) v[i] = (v[i] ?? 0) * scale;
  return v;
}

function toBase64(v: Float32Array): string {
  const view = new DataView(new ArrayBuffer(v.length * 4));
  v.forEach((x, i) => view.setFloat32(i * 4, x, true));
  return Buffer.from(view.buffer).toString("base64");
}

const tokensOf = (chars: number): number => Math.max(1, Math.ceil(chars / 4));

/** Image tokens as GPT-4o bills a 1024x1024 image: 85 at low detail, 765 otherwise. */
const IMAGE_TOKENS = { low: 85, high: 765 };

type Message = z.infer<typeof chatSchema>["messages"][number];
function textOf(content: Message["content"]): string {
  if (typeof content === "string") return content;
  return (content ?? []).map((p) => p.text ?? "").join("");
}

/** Prompt tokens of the images in `messages`, at {@link IMAGE_TOKENS}. */
function imageTokensOf(messages: Message[]): number {
  let tokens = 0;
  for (const m of messages) {
    if (!Array.isArray(m.content)) continue;
    for (const part of m.content) {
      if (part.type !== "image_url") continue;
      tokens += part.image_url?.detail === "low" ? IMAGE_TOKENS.low : IMAGE_TOKENS.high;
    }
  }
  return tokens;
}

/** The tool call the mock answers with when a tool is required: its arguments echo the ask. */
function toolCallFor(
  body: z.infer<typeof chatSchema>,
): { id: string; name: string; arguments: string } | null {
  const required = body.tool_choice === "required" || typeof body.tool_choice === "object";
  const name = body.tools?.[0]?.function?.name;
  if (!required || name === undefined) return null;
  const lastUser = [...body.messages].reverse().find((m) => m.role === "user");
  const args = JSON.stringify({ query: textOf(lastUser?.content), limit: 10 });
  return { id: "call_mock_1", name, arguments: args };
}

/** The deterministic answer: echoes the last user message and cites any `[n] Title` sources. */
function answerFor(model: string, messages: Message[]): string {
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  let answer = `Mock answer from ${model}: ${textOf(lastUser?.content).slice(0, 200)}`;
  const cited = new Set<string>();
  for (const m of messages) {
    for (const match of textOf(m.content).matchAll(/^\s*\[(\d+)\]/gm)) {
      if (match[1] !== undefined && cited.size < 3) cited.add(match[1]);
    }
  }
  if (cited.size > 0) answer += ` ${[...cited].map((n) => `[${n}]`).join(" ")}`;
  return answer;
}

function errorBody(code: number, message: string, param: string | null = null): object {
  const [type, errCode] =
    code === 429
      ? ["requests", "rate_limit_exceeded"]
      : code === 401
        ? ["invalid_request_error", "invalid_api_key"]
        : code === 404
          ? ["invalid_request_error", "not_found"]
          : code >= 500
            ? ["server_error", null]
            : ["invalid_request_error", null];
  return { error: { message, type, code: errCode, param } };
}

function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  res.writeHead(code, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function writeFlushed(res: ServerResponse, data: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) resolve();
    else res.write(data, () => resolve());
  });
}

const emptyCounts = (): Counts => ({
  total: 0,
  chat: 0,
  chatStream: 0,
  embeddings: 0,
  embeddingInputs: 0,
  models: 0,
  errors: 0,
  abandoned: 0,
  connections: 0,
  byModel: {},
});

/**
 * Starts the mock upstream on `port` (0 = any free port) and `host` (default 127.0.0.1);
 * `faults` (default none) is the baseline that `reset()` restores.
 * @example
 * const upstream = await startMockUpstream({ port: 0 });
 * const client = new OpenAI({ apiKey: "test", baseURL: upstream.url, maxRetries: 0 });
 */
export async function startMockUpstream(
  opts: { port?: number; host?: string; faults?: Faults } = {},
): Promise<MockUpstream> {
  const host = opts.host ?? "127.0.0.1";
  let faults: Faults = {};
  let rng = seeded(1);
  let statusCursor = 0;
  let targeted = 0;
  let counts = emptyCounts();
  let recorded: RecordedRequest[] = [];
  let nextId = 1;

  const configure = (next: Faults): void => {
    faults = faultsSchema.parse(next);
    rng = seeded(faults.seed ?? 1);
    statusCursor = 0;
    targeted = 0;
  };

  /** Decides, at arrival, whether this request fails: a status, "body" (200 + error) or null. */
  const injectedFailure = (model: string, inputs?: string[]): number | "body" | null => {
    if (faults.failModels !== undefined && !faults.failModels.includes(model)) return null;
    const marker = faults.failInputsContaining;
    if (marker !== undefined && !inputs?.some((t) => t.includes(marker))) return null;
    if (faults.failFirst !== undefined && targeted++ >= faults.failFirst) return null;
    const armed =
      faults.errorStatus !== undefined ||
      faults.failModels !== undefined ||
      faults.failFirst !== undefined ||
      faults.failInputsContaining !== undefined ||
      faults.errorInBody200 === true;
    const rate = faults.errorRate ?? (armed ? 1 : 0);
    if (rate <= 0 || (rate < 1 && rng() >= rate)) return null;
    if (faults.errorInBody200 === true) return "body";
    const statuses = faults.errorStatus ?? 500;
    if (typeof statuses === "number") return statuses;
    const picked = statuses[statusCursor % statuses.length] ?? 500;
    statusCursor++;
    return picked;
  };

  const fail = (res: ServerResponse, code: number, message: string, param?: string): void => {
    counts.errors++;
    sendJson(res, code, errorBody(code, message, param ?? null));
  };

  const sendInjected = (res: ServerResponse, failure: number | "body", stream: boolean): void => {
    counts.errors++;
    if (failure === "body") {
      const body = {
        error: {
          message: faults.errorMessage ?? "Injected error",
          type: "server_error",
          code: "mock_error",
          param: null,
        },
      };
      if (stream) {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        res.end(`data: ${JSON.stringify(body)}\n\n`);
      } else sendJson(res, 200, body);
      return;
    }
    const headers: Record<string, string> = {};
    if (faults.retryAfter !== undefined) headers["retry-after"] = faults.retryAfter;
    if (faults.retryAfterMs !== undefined) headers["retry-after-ms"] = String(faults.retryAfterMs);
    const message = faults.errorMessage ?? `Injected ${failure} error`;
    sendJson(res, failure, errorBody(failure, message), headers);
  };

  const usageFor = (promptChars: number, completionChars: number, imageTokens = 0) => {
    const prompt_tokens = faults.usage?.prompt_tokens ?? tokensOf(promptChars) + imageTokens;
    const completion_tokens = faults.usage?.completion_tokens ?? tokensOf(completionChars);
    const cached = faults.usage?.cached_tokens;
    const reasoning = faults.usage?.reasoning_tokens;
    return {
      prompt_tokens,
      completion_tokens,
      total_tokens: prompt_tokens + completion_tokens,
      ...(cached !== undefined ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
      ...(reasoning !== undefined
        ? { completion_tokens_details: { reasoning_tokens: reasoning } }
        : {}),
    };
  };

  const streamChat = async (
    res: ServerResponse,
    model: string,
    content: string,
    usage: ReturnType<typeof usageFor>,
    includeUsage: boolean,
    toolCall: { id: string; name: string; arguments: string } | null,
  ): Promise<void> => {
    const id = `chatcmpl-mock-${nextId++}`;
    const created = Math.floor(Date.now() / 1000);
    const frame = (choices: unknown[], usage?: unknown): string =>
      `data: ${JSON.stringify({
        id,
        object: "chat.completion.chunk",
        created,
        model,
        choices,
        ...(includeUsage ? { usage: usage ?? null } : {}),
      })}\n\n`;
    const pause = async (): Promise<void> => {
      if (faults.streamChunkDelayMs) await sleep(faults.streamChunkDelayMs);
    };
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    await writeFlushed(
      res,
      frame([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]),
    );
    // A tool call streams as OpenAI's do: id and name first, then the arguments in pieces.
    const deltas = toolCall
      ? [
          {
            tool_calls: [
              {
                index: 0,
                id: toolCall.id,
                type: "function",
                function: { name: toolCall.name, arguments: "" },
              },
            ],
          },
          ...(toolCall.arguments.match(/.{1,16}/gs) ?? []).map((piece) => ({
            tool_calls: [{ index: 0, function: { arguments: piece } }],
          })),
        ]
      : (content.match(/\S+\s*|\s+/g) ?? []).map((piece) => ({ content: piece }));
    for (const [i, delta] of deltas.entries()) {
      if (faults.cutStreamAfterChunks !== undefined && i >= faults.cutStreamAfterChunks) break;
      await pause();
      await writeFlushed(res, frame([{ index: 0, delta, finish_reason: null }]));
    }
    if (faults.cutStreamAfterChunks !== undefined) {
      res.socket?.destroy();
      res.destroy();
      return;
    }
    await pause();
    const finish = toolCall ? "tool_calls" : "stop";
    await writeFlushed(res, frame([{ index: 0, delta: {}, finish_reason: finish }]));
    if (includeUsage) await writeFlushed(res, frame([], usage));
    res.end("data: [DONE]\n\n");
  };

  const handleChat = async (res: ServerResponse, body: unknown, signal: AbortSignal) => {
    const parsed = chatSchema.safeParse(body);
    if (!parsed.success) return invalid(res, parsed.error);
    const { model, messages, stream } = parsed.data;
    if (stream === true) counts.chatStream++;
    const failure = injectedFailure(model);
    if (!(await delay(signal))) return;
    if (failure !== null) return sendInjected(res, failure, stream === true);
    const toolCall = toolCallFor(parsed.data);
    const content = toolCall ? "" : answerFor(model, messages);
    const promptChars = messages.reduce((n, m) => n + textOf(m.content).length, 0);
    const generated = toolCall ? toolCall.name.length + toolCall.arguments.length : content.length;
    const usage = usageFor(promptChars, generated, imageTokensOf(messages));
    if (stream === true) {
      const includeUsage =
        parsed.data.stream_options?.include_usage === true && faults.omitUsage !== true;
      return streamChat(res, model, content, usage, includeUsage, toolCall);
    }
    const message = toolCall
      ? {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: toolCall.id,
              type: "function",
              function: { name: toolCall.name, arguments: toolCall.arguments },
            },
          ],
        }
      : { role: "assistant", content };
    sendJson(res, 200, {
      id: `chatcmpl-mock-${nextId++}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message, finish_reason: toolCall ? "tool_calls" : "stop" }],
      ...(faults.omitUsage === true ? {} : { usage }),
    });
  };

  const handleEmbeddings = async (res: ServerResponse, body: unknown, signal: AbortSignal) => {
    const parsed = embeddingsSchema.safeParse(body);
    if (!parsed.success) return invalid(res, parsed.error);
    const { model, input, dimensions, encoding_format } = parsed.data;
    const texts: string[] =
      typeof input === "string"
        ? [input]
        : input.every((x) => typeof x === "number")
          ? [input.join(",")]
          : input.map((x) => (typeof x === "string" ? x : x.join(",")));
    counts.embeddingInputs += texts.length;
    const failure = injectedFailure(model, texts);
    if (!(await delay(signal))) return;
    if (failure !== null) return sendInjected(res, failure, false);
    const dims = dimensions ?? DEFAULT_DIMENSIONS;
    const data = texts.map((text, index) => {
      const v = mockVector(text, dims);
      const embedding = encoding_format === "base64" ? toBase64(v) : Array.from(v);
      return { object: "embedding", index, embedding };
    });
    const promptTokens =
      faults.usage?.prompt_tokens ?? texts.reduce((n, t) => n + tokensOf(t.length), 0);
    sendJson(res, 200, {
      object: "list",
      data,
      model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    });
  };

  const invalid = (res: ServerResponse, error: z.ZodError): void => {
    const issue = error.issues[0];
    const param = issue?.path.join(".") ?? null;
    fail(res, 400, `Invalid request: ${issue?.message ?? "bad body"}`, param ?? undefined);
  };

  /** Waits latencyMs + hangMs; false when the client went away meanwhile. */
  const delay = async (signal: AbortSignal): Promise<boolean> => {
    const ms = (faults.latencyMs ?? 0) + (faults.hangMs ?? 0);
    if (ms > 0) {
      try {
        await sleep(ms, undefined, { signal });
      } catch {
        // The client went away: nothing to answer.
      }
    }
    if (signal.aborted) counts.abandoned++;
    return !signal.aborted;
  };

  const handleControl = (res: ServerResponse, method: string, path: string, raw: string): void => {
    if (method === "GET" && path === "/_mock/counts") return sendJson(res, 200, snapshot());
    if (method === "GET" && path === "/_mock/requests") return sendJson(res, 200, recorded);
    if (method === "GET" && path === "/_mock/faults") return sendJson(res, 200, faults);
    if (method === "POST" && path === "/_mock/reset") {
      reset();
      return sendJson(res, 200, { ok: true });
    }
    if (method === "POST" && path === "/_mock/faults") {
      let parsed: unknown;
      try {
        parsed = raw.trim() === "" ? {} : JSON.parse(raw);
      } catch {
        return sendJson(res, 400, errorBody(400, "Body is not valid JSON"));
      }
      const result = faultsSchema.safeParse(parsed);
      if (!result.success) {
        return sendJson(res, 400, errorBody(400, `Invalid faults: ${result.error.message}`));
      }
      configure(result.data);
      return sendJson(res, 200, { ok: true, faults });
    }
    sendJson(res, 404, errorBody(404, `No control route ${method} ${path}`));
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://mock").pathname.replace(/\/+$/, "");
    const raw = await readBody(req);
    if (path.startsWith("/_mock/")) return handleControl(res, method, path, raw);

    counts.total++;
    if (path === "/v1/chat/completions") counts.chat++;
    if (path === "/v1/embeddings") counts.embeddings++;
    if (path === "/v1/models" || path.startsWith("/v1/models/")) counts.models++;
    let body: unknown = undefined;
    if (method === "POST") {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
        record(req, path, body);
        return fail(res, 400, "We could not parse the JSON body of your request.");
      }
      const model = (body as { model?: unknown } | null)?.model;
      if (typeof model === "string") counts.byModel[model] = (counts.byModel[model] ?? 0) + 1;
    }
    record(req, path, body);

    const ac = new AbortController();
    res.on("close", () => ac.abort());
    const known = ["/v1/chat/completions", "/v1/embeddings", "/v1/models"];
    if (method === "POST" && path === "/v1/chat/completions")
      return handleChat(res, body, ac.signal);
    if (method === "POST" && path === "/v1/embeddings")
      return handleEmbeddings(res, body, ac.signal);
    if (method === "GET" && (path === "/v1/models" || path.startsWith("/v1/models/"))) {
      if (!(await delay(ac.signal))) return;
      const created = 1700000000;
      const list = MODEL_IDS.map((id) => ({ id, object: "model", created, owned_by: "mock" }));
      if (path === "/v1/models") return sendJson(res, 200, { object: "list", data: list });
      const one = list.find((m) => `/v1/models/${m.id}` === path);
      return one ? sendJson(res, 200, one) : fail(res, 404, `The model does not exist`, "model");
    }
    if (known.includes(path)) return fail(res, 405, `Method ${method} not allowed on ${path}`);
    fail(res, 404, `Unknown path ${method} ${path}`);
  };

  const record = (req: IncomingMessage, path: string, body: unknown): void => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
    }
    recorded.push({ method: req.method ?? "GET", path, headers, body });
    if (recorded.length > MAX_RECORDED) recorded = recorded.slice(-MAX_RECORDED);
  };

  const snapshot = (): Counts => ({ ...counts, byModel: { ...counts.byModel } });

  const reset = (): void => {
    counts = emptyCounts();
    recorded = [];
    configure(opts.faults ?? {});
  };

  const sockets = new Set<Socket>();
  reset();
  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, errorBody(500, `Mock upstream bug: ${String(err)}`));
    });
  });
  server.on("connection", (socket) => {
    counts.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;

  return {
    url: `http://${urlHost.includes(":") ? `[${urlHost}]` : urlHost}:${port}/v1`,
    port,
    counts: snapshot,
    reset,
    configure,
    requests: () => [...recorded],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      }),
  };
}
