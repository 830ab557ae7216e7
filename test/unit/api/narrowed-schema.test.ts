import { describe, expect, it } from "vitest";
import { z } from "zod";
import { narrowedSchemas } from "../../../shared/api/narrowed-schema.js";
import { ChatCompletionRequestSchema } from "../../../shared/api/openai.js";

const bodies: unknown[] = [
  { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], max_tokens: 16 },
  { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream: true },
  { max_tokens: 8, messages: [{ role: "user", content: "order" }], model: "gpt-4o-mini" },
  { model: "auto", messages: [{ role: "user", content: "hi" }], temperature: 3 },
  { model: "gpt-4o-mini", messages: [{ role: "wizard", content: "hi" }] },
  { model: "gpt-4o-mini", messages: [] },
  { messages: [{ role: "user", content: "no model" }] },
  { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], max_tokenz: 5 },
  { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream_options: { x: 1 } },
  [{ model: "array" }],
  null,
  "text",
];

describe("narrowedSchemas", () => {
  it("validates every body exactly as the full schema does, issues included", () => {
    const schemaFor = narrowedSchemas(ChatCompletionRequestSchema);
    for (const body of bodies) {
      // Twice: the second answer comes from the key-set cache.
      for (let i = 0; i < 2; i++) {
        expect(schemaFor(body).safeParse(body)).toEqual(
          ChatCompletionRequestSchema.safeParse(body),
        );
      }
    }
  });

  it("narrows a body to its own keys, once per key set", () => {
    const schemaFor = narrowedSchemas(ChatCompletionRequestSchema);
    const body = { model: "m", messages: [{ role: "user", content: "hi" }] };
    const narrowed = schemaFor(body);
    expect(narrowed).not.toBe(ChatCompletionRequestSchema);
    expect(Object.keys((narrowed as z.ZodObject).shape)).toEqual(["model", "messages"]);
    expect(schemaFor({ ...body })).toBe(narrowed);
  });

  it("keeps the full schema when a missing key has a default or is required", () => {
    const schema = z.strictObject({ a: z.string(), b: z.number().default(3), c: z.string() });
    const schemaFor = narrowedSchemas(schema);
    expect(schemaFor({ a: "x", c: "y" })).toBe(schema);
    expect(schemaFor({ a: "x", c: "y" }).parse({ a: "x", c: "y" })).toEqual({
      a: "x",
      b: 3,
      c: "y",
    });
    expect(schemaFor({ a: "x", b: 1 })).toBe(schema);
  });

  it("keeps the full schema for a key it does not know, so the strict error names it", () => {
    const schemaFor = narrowedSchemas(ChatCompletionRequestSchema);
    const body = { model: "m", messages: [{ role: "user", content: "hi" }], tempreature: 1 };
    expect(schemaFor(body)).toBe(ChatCompletionRequestSchema);
  });

  it("returns non-object schemas as they are", () => {
    const schema = z.array(z.string());
    expect(narrowedSchemas(schema)(["a"])).toBe(schema);
  });
});
