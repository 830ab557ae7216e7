// The one mapping from an OpenAI-compatible upstream's failed HTTP response to an UpstreamFailure.
// The status decides the reason; the error body (read up to a cap, the rest cancelled so the
// connection is released) supplies the message and OpenAI's `insufficient_quota` code.
import { parseRetryAfter } from "./retry-after.js";
import type { UpstreamFailure } from "./types.js";

/** Bytes of an error body read at most: OpenAI's are a few hundred; a proxy's page may not be. */
export const MAX_ERROR_BODY_BYTES = 16 * 1024;

/** Characters of an upstream's error text kept in the failure's message. */
const MAX_DETAIL_CHARS = 1_000;

/**
 * Reads a failed response (never throws) into a failure: 429 -> `rate_limited` (`quota` when the
 * error's code or type is `insufficient_quota`), 408 -> `timeout`, 409/5xx -> `server_error`,
 * 401/403 -> `auth`, other 4xx -> `bad_request`, anything else -> `bad_response`. The message is
 * the status and the upstream's own error message; `retryAfterMs` comes from Retry-After or
 * retry-after-ms. `now` is the clock, for HTTP-date Retry-After values.
 *
 * @example
 * if (!response.ok) return { ok: false, failure: await httpFailure(response, Date.now()) };
 */
export async function httpFailure(response: Response, now: number): Promise<UpstreamFailure> {
  const status = response.status;
  const retryAfterMs = parseRetryAfter(response.headers, now);
  const { detail, quota } = errorDetail(await readCapped(response, MAX_ERROR_BODY_BYTES));
  const base = {
    status,
    message: `${status} ${detail ?? "with no error body"}`,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
  if (status === 429 && quota) {
    return { reason: "quota", retryable: false, ...base };
  }
  if (status === 429) return { reason: "rate_limited", retryable: true, ...base };
  if (status === 408) return { reason: "timeout", retryable: true, ...base };
  if (status === 409 || status >= 500) return { reason: "server_error", retryable: true, ...base };
  if (status === 401 || status === 403) return { reason: "auth", retryable: false, ...base };
  if (status >= 400) return { reason: "bad_request", retryable: false, ...base };
  // A redirect that was not followed, or a 1xx: nothing usable came back.
  return { reason: "bad_response", retryable: false, ...base };
}

/**
 * The body's text, decoded, up to `maxBytes`; the rest is cancelled. A body that breaks off
 * (the call's timeout, a reset) yields what was read.
 */
export async function readCapped(response: Response, maxBytes: number): Promise<string> {
  // Workers' types leave a body's chunks untyped; a fetch response's are bytes.
  const body = response.body as ReadableStream<Uint8Array> | null;
  if (!body) return "";
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let read = 0;
  try {
    while (read < maxBytes) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      const part = value.byteLength > maxBytes - read ? value.subarray(0, maxBytes - read) : value;
      read += part.byteLength;
      text += decoder.decode(part, { stream: true });
    }
    return text + decoder.decode();
  } catch {
    return text;
  } finally {
    // Past the cap, or broken: either way nothing more is wanted from this connection.
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** OpenAI's `{error: {message, code, type}}`, or the text of whatever else came back. */
function errorDetail(text: string): { detail?: string; quota: boolean } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const plain = text.replace(/\s+/g, " ").trim();
    return plain ? { detail: clip(plain), quota: false } : { quota: false };
  }
  if (typeof json !== "object" || json === null) return { detail: clip(text.trim()), quota: false };
  // Some proxies put `message` (or FastAPI's `detail`) at the top level instead of under `error`.
  const error: unknown = "error" in json ? json.error : json;
  if (typeof error === "string") return { detail: clip(error), quota: false };
  if (typeof error !== "object" || error === null) {
    return { detail: clip(JSON.stringify(json)), quota: false };
  }
  const fields = error as Record<string, unknown>;
  const message = fields.message ?? fields.detail;
  return {
    detail: clip(typeof message === "string" ? message : JSON.stringify(error)),
    // OpenAI sets both; compatible APIs sometimes only one.
    quota: fields.code === "insufficient_quota" || fields.type === "insufficient_quota",
  };
}

function clip(text: string): string {
  return text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}...` : text;
}
