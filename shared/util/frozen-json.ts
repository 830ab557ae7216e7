// Deeply frozen values and a JSON.stringify that serialises each of them once. A cached answer is
// served many times from isolate memory; its sources (most of the response's bytes) never change,
// so their JSON is kept beside them instead of being produced again for every hit. The output is
// exactly JSON.stringify's: only values frozen here, all the way down, are reused.

/** Values frozen by {@link deepFreeze}: nothing inside them can change. */
const frozen = new WeakSet<object>();
/** The JSON of frozen values, made on first use. */
const texts = new WeakMap<object, string>();

/**
 * Freezes `value` and everything it holds, and returns it.
 * @example
 * const answer = deepFreeze(parsed); // answer.sources.push(...) now throws
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || frozen.has(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  Object.freeze(value);
  frozen.add(value);
  return value;
}

/**
 * `JSON.stringify(value)` (no replacer, no indent), byte for byte, reusing the text of any
 * deeply frozen value among the top-level object's properties.
 * @example
 * stringifyJson({ ...cachedAnswer, request_id }); // the sources' JSON made once per entry
 */
export function stringifyJson(value: unknown): string {
  if (typeof value !== "object" || value === null || Array.isArray(value) || hasToJson(value)) {
    return JSON.stringify(value);
  }
  let out = "{";
  let first = true;
  for (const [key, inner] of Object.entries(value)) {
    const text = propertyJson(inner);
    // JSON.stringify leaves out what has no JSON (undefined, functions, symbols).
    if (text === undefined) continue;
    out += (first ? "" : ",") + JSON.stringify(key) + ":" + text;
    first = false;
  }
  return out + "}";
}

function propertyJson(value: unknown): string | undefined {
  if (typeof value === "object" && value !== null && frozen.has(value)) {
    const known = texts.get(value);
    if (known !== undefined) return known;
    const made = JSON.stringify(value);
    texts.set(value, made);
    return made;
  }
  // Undefined for undefined, functions and symbols, whatever the type says.
  const text: string | undefined = JSON.stringify(value);
  return text;
}

function hasToJson(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === "function";
}
