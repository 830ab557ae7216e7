// Request bodies: content type, size limit (checked while streaming, not trusted from headers),
// JSON syntax and the route's zod schema, each failing with its own clear 4xx.
import type { z } from "zod";
import { describeRequestIssues, requestErrorMap } from "../../shared/api/request-issues.js";
import { HttpError } from "../errors.js";

/** Reads and validates a JSON body. Throws HttpError 415/413/400 with the offending field named. */
export async function readJson<S extends z.ZodType>(
  request: Request,
  schema: S,
  maxBytes: number,
): Promise<z.infer<S>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type.trim())) {
    throw new HttpError(
      "unsupported_media_type",
      "expected a JSON body with Content-Type: application/json",
    );
  }
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new HttpError("payload_too_large", `request body exceeds ${maxBytes} bytes`);
  }
  const text = await readLimited(request, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError("invalid_json", "request body is not valid JSON");
  }
  return validate(schema, value);
}

/**
 * Validates a value against a schema, naming the offending field in `param`: an unknown field
 * first, with the known field it most likely stands for, else the first violation.
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value, { error: requestErrorMap });
  if (result.success) return result.data;
  const { message, param } = describeRequestIssues(result.error.issues);
  throw new HttpError("invalid_request", message, { param });
}

async function readLimited(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return "";
  const body = request.body as ReadableStream<Uint8Array>;
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new HttpError("payload_too_large", `request body exceeds ${maxBytes} bytes`);
    }
    parts.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(all);
  } catch {
    throw new HttpError("invalid_json", "request body is not valid UTF-8");
  }
}
