// Validating a body against a wide object schema costs a check per key of the schema, present or
// not: zod runs every optional field's schema on `undefined`, and Workers refuse the compiled
// fast path zod uses elsewhere (no `new Function`). A request sets a handful of OpenAI's ~40 chat
// parameters, so it is validated against the schema narrowed to the keys it has, built once per
// key set. The result is the same by construction: a key set is narrowed only when every key it
// lacks is one the full schema accepts as absent (optional, no default), and a body with a key the
// schema does not know, or that is not an object, goes to the full schema and its error.
import { z } from "zod";

/** Key sets remembered per schema; past it, new key sets use the full schema (still correct). */
const MAX_KEY_SETS = 64;

/**
 * A function picking the schema to validate `value` with: `schema` narrowed to `value`'s keys
 * when that is equivalent, else `schema` itself. Non-object schemas are returned as they are.
 *
 * @example
 * const schemaFor = narrowedSchemas(ChatCompletionRequestSchema);
 * schemaFor(body).safeParse(body);
 */
export function narrowedSchemas<S extends z.ZodType>(schema: S): (value: unknown) => S {
  if (!(schema instanceof z.ZodObject)) return () => schema;
  const object: z.ZodObject = schema;
  const shape: Record<string, z.ZodType> = object.shape;
  const known = new Set(Object.keys(shape));
  const byKeys = new Map<string, S>();
  return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return schema;
    const keys = Object.keys(value);
    const signature = keys.join(",");
    const cached = byKeys.get(signature);
    if (cached) return cached;
    if (!keys.every((k) => known.has(k))) return schema;
    const narrowed = narrow(object, shape, keys) ?? object;
    if (byKeys.size < MAX_KEY_SETS) byKeys.set(signature, narrowed as unknown as S);
    return narrowed as unknown as S;
  };
}

/** `object` picked down to `keys`, or null when a key left out would not be accepted as absent
 * (required, or filled in by a default) or the schema cannot be picked (refinements). */
function narrow(
  object: z.ZodObject,
  shape: Record<string, z.ZodType>,
  keys: readonly string[],
): z.ZodObject | null {
  const present = new Set(keys);
  for (const [key, field] of Object.entries(shape)) {
    if (present.has(key)) continue;
    const absent = field.safeParse(undefined);
    if (!absent.success || absent.data !== undefined) return null;
  }
  // The mask in the schema's order, so the output's keys come in the order the full schema's do.
  const mask: Record<string, true> = {};
  for (const key of Object.keys(shape)) if (present.has(key)) mask[key] = true;
  try {
    return object.pick(mask);
  } catch {
    return null;
  }
}
