// Request bodies: content type, size limit (checked while streaming, not trusted from headers),
// JSON syntax and the route's zod schema, each failing with its own clear 4xx.
import type { z } from "zod";
import { narrowedSchemas } from "../../shared/api/narrowed-schema.js";
import { describeRequestIssues, requestErrorMap } from "../../shared/api/request-issues.js";
import { deepFreeze } from "../../shared/util/frozen-json.js";
import { HttpError } from "../errors.js";

/** Options of {@link readJson}. */
export interface ReadJsonOptions {
  /**
   * The route's bodies repeat byte for byte (a question asked again is a cache hit): a small body
   * this isolate validated lately is served from memory, deeply frozen, instead of being parsed
   * and validated again. Only for routes that never modify their body.
   */
  repeats?: boolean;
  /**
   * A check that vouches for a body without the schema: true only for values the schema accepts
   * and returns deep-equal (see shared/api/plain-chat-request). Anything it declines, and every
   * error, is the schema's.
   */
  precheck?: (value: unknown) => boolean;
}

/** Reads and validates a JSON body. Throws HttpError 415/413/400 with the offending field named. */
export async function readJson<S extends z.ZodType>(
  request: Request,
  schema: S,
  maxBytes: number,
  options: ReadJsonOptions = {},
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
  const text = await readLimited(request, maxBytes, Number.isFinite(declared));
  if (options.repeats !== true || text.length > MAX_REMEMBERED_BODY) {
    return parse(schema, text, options.precheck);
  }
  const remembered = rememberedFor(schema);
  const known = remembered.get(text);
  if (known !== undefined) return known as z.infer<S>;
  const value = deepFreeze(parse(schema, text, options.precheck));
  // A busy isolate sees a few bodies again and again; a flood of distinct ones just starts over.
  if (remembered.size >= MAX_REMEMBERED_BODIES) remembered.clear();
  remembered.set(text, value);
  return value;
}

function parse<S extends z.ZodType>(
  schema: S,
  text: string,
  precheck: ((value: unknown) => boolean) | undefined,
): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError("invalid_json", "request body is not valid JSON");
  }
  if (precheck?.(value) === true) return value as z.infer<S>;
  return validate(schema, value);
}

/** Bodies validated lately, per schema, by their text (only valid ones: a refusal is thrown). */
const rememberedBodies = new WeakMap<z.ZodType, Map<string, unknown>>();
const MAX_REMEMBERED_BODIES = 256;
const MAX_REMEMBERED_BODY = 4096;

function rememberedFor(schema: z.ZodType): Map<string, unknown> {
  let map = rememberedBodies.get(schema);
  if (!map) {
    map = new Map();
    rememberedBodies.set(schema, map);
  }
  return map;
}

/**
 * Validates a value against a schema, naming the offending field in `param`: an unknown field
 * first, with the known field it most likely stands for, else the first violation.
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = narrowedFor(schema)(value).safeParse(value, { error: requestErrorMap });
  if (result.success) return result.data;
  const { message, param } = describeRequestIssues(result.error.issues);
  throw new HttpError("invalid_request", message, { param });
}

/** Each schema's narrowing (see shared/api/narrowed-schema), made on its first body. */
const narrowings = new WeakMap<z.ZodType, (value: unknown) => z.ZodType>();

function narrowedFor<S extends z.ZodType>(schema: S): (value: unknown) => S {
  let pick = narrowings.get(schema);
  if (!pick) {
    pick = narrowedSchemas(schema);
    narrowings.set(schema, pick);
  }
  return pick as (value: unknown) => S;
}

/** Strict UTF-8; stateless for whole-buffer decodes, so one serves every request. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

async function readLimited(request: Request, maxBytes: number, sized: boolean): Promise<string> {
  if (!request.body) return "";
  // A declared length within the limit is what HTTP framing delivers, so the body is read in one
  // piece; the size is checked again all the same. Without one, it is counted while it streams.
  const all = sized
    ? new Uint8Array(await request.arrayBuffer())
    : await readCounted(request, maxBytes);
  if (all.byteLength > maxBytes) {
    throw new HttpError("payload_too_large", `request body exceeds ${maxBytes} bytes`);
  }
  try {
    return UTF8.decode(all);
  } catch {
    throw new HttpError("invalid_json", "request body is not valid UTF-8");
  }
}

async function readCounted(request: Request, maxBytes: number): Promise<Uint8Array> {
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
  if (parts.length === 1 && parts[0]) return parts[0];
  const all = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.byteLength;
  }
  return all;
}
