// Guards for values that came from JSON.parse, shared by the plain checks that read the common
// shapes of bodies without their schemas (shared/api/plain-chat-request, shared/llm/chat-chunks,
// shared/llm/openai-bodies).

/** A JSON object: not null, not an array. */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Missing or null: what a schema's `.nullish()` accepts as absent. */
export const absent = (v: unknown): boolean => v === undefined || v === null;
