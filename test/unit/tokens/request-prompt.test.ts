import { describe, expect, it } from "vitest";
import { createTokenCounter } from "../../../shared/tokens/count.js";
import { billingRefusal } from "../../../shared/llm/billing-policy.js";
import { countRequestPrompt, promptTokensFor } from "../../../shared/tokens/request-prompt.js";
import { seeded } from "../../support/seeded-random.js";

const counter = createTokenCounter();
const text = (s: string) => counter.count(s);

describe("countRequestPrompt", () => {
  it("counts plain messages as OpenAI frames them", () => {
    const count = countRequestPrompt(
      { messages: [{ role: "user", content: "Hello, world!" }] },
      counter,
    );
    expect(count).toEqual({
      textTokens: 3 + 3 + text("Hello, world!"),
      images: [],
      unsizedParts: 0,
    });
  });

  it("counts every image part, with its detail and any size a data URL gives away", () => {
    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 4,
      0, 0, 0, 4, 0, 8, 6, 0, 0, 0,
    ]).toString("base64");
    const count = countRequestPrompt(
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Compare" },
              { type: "image_url", image_url: { url: "https://x.example/a.png" } },
              { type: "image_url", image_url: { url: "https://x.example/b.png", detail: "low" } },
              { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
            ],
          },
        ],
      },
      counter,
    );
    expect(count.textTokens).toBe(3 + 3 + text("Compare"));
    expect(count.images).toEqual([
      { detail: "auto" },
      { detail: "low" },
      { detail: "auto", size: { width: 1024, height: 1024 } },
    ]);
    // GPT-4o: the unknown one at its worst (1445), low 85, the 1024x1024 one 765.
    expect(promptTokensFor(count)).toBe(count.textTokens + 1445 + 85 + 765);
    // A data URL's base64 is an image, not text: it adds no text tokens.
    expect(count.textTokens).toBeLessThan(20);
  });

  it("counts tool definitions, tool calls, names, the response format and a prediction", () => {
    const tools = [
      { type: "function", function: { name: "lookup", parameters: { type: "object" } } },
    ];
    const toolCalls = [
      { id: "c1", type: "function", function: { name: "lookup", arguments: "{}" } },
    ];
    const format = { type: "json_schema", json_schema: { name: "a", schema: { type: "object" } } };
    const prediction = { type: "content", content: "predicted text" };
    const count = countRequestPrompt(
      {
        messages: [
          { role: "user", name: "ann", content: "Hi" },
          { role: "assistant", content: null, tool_calls: toolCalls },
          { role: "tool", tool_call_id: "c1", content: "result" },
        ],
        tools,
        response_format: format,
        prediction,
        tool_choice: "auto",
      },
      counter,
    );
    const expected =
      3 +
      3 * 3 +
      text("ann") +
      text("Hi") +
      text(JSON.stringify(toolCalls)) +
      text("result") +
      text(JSON.stringify(tools)) +
      text(JSON.stringify(format)) +
      text(JSON.stringify(prediction));
    expect(count.textTokens).toBe(expected);
  });

  it("flags files, audio and unknown part types as unsized", () => {
    const count = countRequestPrompt(
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "file", file: { file_id: "file-1" } },
              { type: "input_audio", input_audio: { data: "AAAA", format: "wav" } },
              { type: "mystery", payload: "x" },
            ],
          },
          { role: "assistant", content: null, audio: { id: "audio_1" } },
        ],
      },
      counter,
    );
    expect(count.unsizedParts).toBe(4);
  });
});

describe("counting hostile request shapes", () => {
  const rand = seeded(13);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const hugePng = "data:image/png;base64," + "iVBORw0KGgo".repeat(6_000);
  const shapes: unknown[] = [
    null,
    42,
    "text",
    [],
    {},
    { type: "image_url", image_url: "not an object" },
    { type: "image_url", image_url: { url: "data:image/png;base64,%%%" } },
    { type: "image_url", image_url: { url: "data:," } },
    { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/" + "A".repeat(1_000) } },
    { type: "image_url", image_url: { url: hugePng } },
    { type: "text", text: 7 },
    { type: "file" },
    { type: "input_audio" },
    { type: "" },
    { type: "text", text: "a".repeat(2_000) },
  ];
  const junk = (): unknown => pick(shapes);

  it("never throws, and always counts a whole number of tokens at least the framing", () => {
    for (let i = 0; i < 200; i++) {
      const messages = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => ({
        role: pick(["user", "assistant", "tool"]),
        content: rand() < 0.3 ? junk() : Array.from({ length: Math.floor(rand() * 4) }, junk),
        ...(rand() < 0.2 ? { tool_calls: junk(), audio: junk() } : {}),
      }));
      const body = { messages, tools: rand() < 0.3 ? junk() : undefined, service_tier: junk() };
      const count = countRequestPrompt(body, counter);
      expect(Number.isInteger(promptTokensFor(count))).toBe(true);
      expect(count.textTokens).toBeGreaterThanOrEqual(3 + 3 * messages.length);
      expect(() => billingRefusal(body, { allowStore: false })).not.toThrow();
    }
  });
});
