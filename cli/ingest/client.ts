// The CLI's HTTP client for the gateway: document lookup, upload (directly or as an ingestion
// job) and job progress, each request retried on 429/5xx/network errors (Retry-After honoured),
// responses checked with the API's own schemas.
import { z } from "zod";
import {
  IngestJobResponseSchema,
  IngestResponseSchema,
  LookupResponseSchema,
} from "../../shared/api/responses.js";
import { parseRetryAfter } from "../../shared/llm/retry-after.js";
import { withRetry, type Attempted, type RetryOptions } from "./retry.js";

/** A document as `POST /v1/documents` takes it. */
export interface UploadDocument {
  id: string;
  text: string;
  title: string;
  source: string;
  metadata: Record<string, string | number | boolean>;
}

export type LookupResult = z.infer<typeof LookupResponseSchema>;
export type UploadResult = z.infer<typeof IngestResponseSchema>;
export type JobResult = z.infer<typeof IngestJobResponseSchema>;

/** What an upload answers: the documents ingested (200), or the job they were queued as (202). */
const UploadAnswerSchema = z.union([IngestResponseSchema, IngestJobResponseSchema]);
export type UploadAnswer = z.infer<typeof UploadAnswerSchema>;

export interface ClientOptions {
  /** The gateway's base URL, e.g. https://ragway.example.com */
  url: string;
  key?: string;
  /** Sent with every call; absent, the server uses the key's first namespace. */
  namespace?: string;
  fetch: typeof fetch;
  timeoutMs: number;
  retry: RetryOptions;
  now(): number;
  userAgent: string;
}

export interface IngestClient {
  /**
   * One `GET /health`, no retries: null when the gateway answers at all (any status), else why
   * it cannot be reached ("cannot reach <url>: ECONNREFUSED"). Checked once before a run, so a
   * server that is down is one clear failure instead of every file's retries.
   */
  reachable(): Promise<string | null>;
  lookup(ids: string[]): Promise<Attempted<LookupResult>>;
  upload(docs: UploadDocument[]): Promise<Attempted<UploadResult>>;
  /** Uploads as an ingestion job (`"async": true`); a server may still answer synchronously. */
  submitJob(docs: UploadDocument[]): Promise<Attempted<UploadAnswer>>;
  /** One `GET /v1/jobs/:id`. */
  job(id: string): Promise<Attempted<JobResult>>;
}

/** Statuses worth another try: the server was busy, limited or briefly unavailable. */
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

/** The reachability check waits at most this long (or the request timeout, if shorter). */
const REACHABLE_TIMEOUT_MS = 10_000;

/** Builds the client. Nothing is sent until a method is called. */
export function createIngestClient(options: ClientOptions): IngestClient {
  const base = options.url.replace(/\/+$/, "");
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": options.userAgent,
  };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  const inNamespace = options.namespace ? { namespace: options.namespace } : {};

  async function send<S extends z.ZodType>(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    schema: S,
  ): Promise<Attempted<z.infer<S>>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return withRetry(async () => {
      let res: Response;
      try {
        res = await options.fetch(`${base}${path}`, {
          method,
          headers,
          ...(payload !== undefined ? { body: payload } : {}),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (err) {
        return { ok: false, retryable: true, message: networkMessage(err, options.timeoutMs) };
      }
      const text = await res.text().catch(() => "");
      if (!res.ok) {
        const retryAfterMs = parseRetryAfter(res.headers, options.now());
        return {
          ok: false,
          retryable: RETRYABLE.has(res.status),
          status: res.status,
          message: errorMessage(res.status, text),
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        };
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return { ok: false, retryable: false, status: res.status, message: "response is not JSON" };
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.join(".") ?? "";
        return {
          ok: false,
          retryable: false,
          status: res.status,
          message: `unexpected response from ${path}${where ? ` at ${where}` : ""}: ${issue?.message ?? "invalid"}`,
        };
      }
      return { ok: true, value: parsed.data };
    }, options.retry);
  }

  async function reachable(): Promise<string | null> {
    const timeoutMs = Math.min(options.timeoutMs, REACHABLE_TIMEOUT_MS);
    try {
      const res = await options.fetch(`${base}/health`, {
        headers: { "user-agent": options.userAgent },
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      return null;
    } catch (err) {
      const why = networkMessage(err, timeoutMs).replace(/^network error: /, "");
      return `cannot reach ${base}: ${why}`;
    }
  }

  return {
    reachable,
    lookup: (ids) =>
      send("POST", "/v1/documents/lookup", { ids, ...inNamespace }, LookupResponseSchema),
    upload: (documents) =>
      send("POST", "/v1/documents", { documents, ...inNamespace }, IngestResponseSchema),
    submitJob: (documents) =>
      send("POST", "/v1/documents", { documents, async: true, ...inNamespace }, UploadAnswerSchema),
    job: (id) =>
      send("GET", `/v1/jobs/${encodeURIComponent(id)}`, undefined, IngestJobResponseSchema),
  };
}

/** "429 rate_limit_exceeded: too many requests" from the error body, or the bare status. */
function errorMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof parsed.error?.code === "string" ? ` ${parsed.error.code}` : "";
    const message = typeof parsed.error?.message === "string" ? `: ${parsed.error.message}` : "";
    return `HTTP ${status}${code}${message}`;
  } catch {
    return `HTTP ${status}`;
  }
}

function networkMessage(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
    return `no response within ${timeoutMs} ms`;
  }
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === "string" ? cause.code : null;
  const text = err instanceof Error ? err.message : String(err);
  return `network error: ${code ?? text}`;
}
