import { describe, expect, it } from "vitest";
import {
  chunkBySchema,
  plainChunkContent,
  readChatChunks,
} from "../../../shared/llm/chat-chunks.js";
import type { StreamEvent } from "../../../shared/llm/types.js";
import { pick, seeded } from "../../support/seeded-random.js";
import { body, collect } from "./stream-bodies.js";

const encoder = new TextEncoder();

const chunk = (content: string, extra: Record<string, unknown> = {}) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content }, finish_reason: null }], ...extra })}\n\n`;

describe("readChatChunks", () => {
  it("yields chunks with their content and usage, then done at [DONE]", async () => {
    const events = await collect(
      readChatChunks(
        body([
          chunk("Hel"),
          chunk("lo"),
          `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } })}\n\n`,
          "data: [DONE]\n\n",
        ]),
      ),
    );
    expect(events.map((e) => e.type)).toEqual(["chunk", "chunk", "chunk", "done"]);
    const chunks = events.filter(
      (e): e is Extract<StreamEvent, { type: "chunk" }> => e.type === "chunk",
    );
    expect(chunks.map((e) => e.chunk.content).join("")).toBe("Hello");
    expect(chunks[2]?.chunk.usage).toEqual({
      prompt_tokens: 5,
      completion_tokens: 2,
      total_tokens: 7,
    });
    expect(chunks[0]?.chunk.raw).toMatchObject({ id: "c1", object: "chat.completion.chunk" });
  });

  it("keeps each chunk as the upstream sent it, key order and unknown fields included", async () => {
    const sent = {
      id: "c1",
      object: "chat.completion.chunk",
      created: 1,
      model: "m",
      system_fingerprint: "fp",
      choices: [{ delta: { content: "Hi", role: "assistant" }, index: 0, finish_reason: null }],
      usage: null,
    };
    const events = await collect(
      readChatChunks(body([`data: ${JSON.stringify(sent)}\n\n`, "data: [DONE]\n\n"])),
    );
    const first = events[0];
    if (first?.type !== "chunk") throw new Error("expected a chunk");
    expect(JSON.stringify(first.chunk.raw)).toBe(JSON.stringify(sent));
  });

  it("keeps tool-call names and arguments, and refusals, as generated text beside the content", async () => {
    const delta = (d: Record<string, unknown>) =>
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: d, finish_reason: null }] })}\n\n`;
    const events = await collect(
      readChatChunks(
        body([
          delta({
            tool_calls: [
              { index: 0, id: "c1", type: "function", function: { name: "search", arguments: "" } },
            ],
          }),
          delta({ tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }),
          delta({ function_call: { arguments: '"x"}' } }),
          delta({ refusal: "No." }),
          "data: [DONE]\n\n",
        ]),
      ),
    );
    const chunks = events.flatMap((e) => (e.type === "chunk" ? [e.chunk] : []));
    expect(chunks.map((c) => c.content).join("")).toBe("");
    expect(chunks.map((c) => c.otherText ?? "").join("")).toBe('search{"q":"x"}No.');
  });

  it("keeps the usage details the upstream reported", async () => {
    const usage = {
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      prompt_tokens_details: { cached_tokens: 8, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 3, note: "ignored" },
    };
    const events = await collect(
      readChatChunks(
        body([`data: ${JSON.stringify({ choices: [], usage })}\n\n`, "data: [DONE]\n\n"]),
      ),
    );
    expect(events[0]).toMatchObject({
      type: "chunk",
      chunk: {
        usage: {
          ...usage,
          completion_tokens_details: { reasoning_tokens: 3 },
        },
      },
    });
  });

  it("ends with a truncated error when the stream closes before [DONE]", async () => {
    const events = await collect(readChatChunks(body([chunk("Hel"), chunk("lo")])));
    expect(events.at(-1)).toEqual({
      type: "error",
      failure: {
        reason: "truncated",
        message: "upstream stream ended before [DONE]",
        retryable: false,
      },
    });
  });

  it("ends with a truncated error when the connection breaks", async () => {
    const events = await collect(readChatChunks(body([chunk("Hel")], new Error("socket hang up"))));
    const last = events.at(-1);
    expect(last).toMatchObject({ type: "error", failure: { reason: "truncated" } });
    expect(last?.type === "error" && last.failure.message).toMatch(/socket hang up/);
  });

  it("turns an error event inside a 200 stream into a bad_response failure", async () => {
    const events = await collect(
      readChatChunks(body([`data: ${JSON.stringify({ error: { message: "overloaded" } })}\n\n`])),
    );
    expect(events).toEqual([
      {
        type: "error",
        failure: {
          reason: "bad_response",
          status: 200,
          message: "upstream error in stream: overloaded",
          retryable: false,
        },
      },
    ]);
  });

  it("rejects a chunk that is not JSON or has no choices", async () => {
    expect((await collect(readChatChunks(body(["data: {nope\n\n"]))))[0]).toMatchObject({
      type: "error",
      failure: { reason: "bad_response" },
    });
    expect((await collect(readChatChunks(body(['data: {"id":"x"}\n\n']))))[0]).toMatchObject({
      type: "error",
      failure: { reason: "bad_response" },
    });
  });

  it("cancels the body when the consumer stops early", async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(encoder.encode(chunk("x")));
      },
      cancel() {
        cancelled = true;
      },
    });
    const events = readChatChunks(stream);
    await events.next();
    await events.return(undefined);
    expect(cancelled).toBe(true);
  });

  it("reads the body to its end when ended after [DONE], so its connection can be reused", async () => {
    let closed = false;
    let cancelled = false;
    const parts = [chunk("x"), "data: [DONE]\n\n", ": what follows [DONE]\n\n"];
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          const part = parts.shift();
          if (part !== undefined) return controller.enqueue(encoder.encode(part));
          closed = true;
          controller.close();
        },
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const events = readChatChunks(stream);
    expect((await events.next()).value).toMatchObject({ type: "chunk" });
    expect((await events.next()).value).toEqual({ type: "done" });
    expect(closed).toBe(false);
    await events.return(undefined);
    expect(closed).toBe(true);
    expect(cancelled).toBe(false);
  });
});

describe("plainChunkContent (the schema-free check of a common chunk)", () => {
  const MISSING = Symbol("missing");
  /** Values a JSON chunk's fields can hold, the shapes the schema accepts and many it refuses. */
  const odd: unknown[] = [null, true, 0, -1, 1.5, 2 ** 60, "", "x", [], ["a"], {}, { a: 1 }];
  const fields: Record<
    | "content"
    | "refusal"
    | "tool_calls"
    | "function_call"
    | "role"
    | "index"
    | "finish_reason"
    | "usage",
    readonly unknown[]
  > = {
    content: [MISSING, "Hi", " there", "", ...odd],
    refusal: [MISSING, null, "No.", 1],
    tool_calls: [MISSING, null, [], [{ function: { name: "f", arguments: "{}" } }], "x"],
    function_call: [MISSING, null, { name: "g" }, "x"],
    role: [MISSING, "assistant", 3],
    index: [MISSING, 0, 1, 7, ...odd],
    finish_reason: [MISSING, null, "stop", ...odd],
    usage: [MISSING, null, { prompt_tokens: 3, completion_tokens: 2 }, { prompt_tokens: -1 }, 1],
  };
  const maybe = (out: Record<string, unknown>, key: string, value: unknown): void => {
    if (value !== MISSING) out[key] = value;
  };
  const delta = (next: () => number): unknown => {
    if (next() < 0.1) return pick(next, [MISSING, ...odd]);
    const out: Record<string, unknown> = {};
    for (const key of ["role", "content", "refusal", "tool_calls", "function_call"] as const)
      maybe(out, key, pick(next, fields[key]));
    return out;
  };
  const choice = (next: () => number): unknown => {
    if (next() < 0.05) return pick(next, odd);
    const out: Record<string, unknown> = {};
    maybe(out, "index", pick(next, fields.index));
    maybe(out, "delta", delta(next));
    maybe(out, "finish_reason", pick(next, fields.finish_reason));
    return out;
  };
  const chunkValue = (next: () => number): unknown => {
    if (next() < 0.05) return pick(next, odd);
    const out: Record<string, unknown> = { id: "c", object: "chat.completion.chunk" };
    if (next() < 0.95)
      out.choices = Array.from({ length: Math.floor(next() * 3) }, () => choice(next));
    maybe(out, "usage", pick(next, fields.usage));
    // As the upstream's bytes arrive: through JSON.
    return JSON.parse(JSON.stringify(out)) as unknown;
  };

  it("accepts only chunks the schema accepts, with the same content and nothing beside it", () => {
    const next = seeded(7);
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const value = chunkValue(next);
      const plain = plainChunkContent(value);
      if (plain === null) continue;
      accepted++;
      const bySchema = chunkBySchema(value as Record<string, unknown>);
      expect(bySchema, JSON.stringify(value)).not.toBeNull();
      expect(bySchema?.content, JSON.stringify(value)).toBe(plain);
      expect(bySchema?.otherText, JSON.stringify(value)).toBeUndefined();
      expect(bySchema?.usage, JSON.stringify(value)).toBeUndefined();
    }
    // The generator reaches both sides of the check.
    expect(accepted).toBeGreaterThan(200);
    expect(accepted).toBeLessThan(4800);
  });

  it("takes an ordinary content chunk and leaves tool calls, refusals and usage to the schema", () => {
    const choices = (d: Record<string, unknown>) => ({
      choices: [{ index: 0, delta: d, finish_reason: null }],
    });
    expect(plainChunkContent(choices({ role: "assistant", content: "Hi" }))).toBe("Hi");
    expect(plainChunkContent({ choices: [], usage: null })).toBe("");
    expect(plainChunkContent(choices({ refusal: "No." }))).toBeNull();
    expect(plainChunkContent(choices({ tool_calls: [] }))).toBeNull();
    expect(plainChunkContent(choices({ function_call: { name: "f" } }))).toBeNull();
    expect(plainChunkContent({ choices: [], usage: { prompt_tokens: 1 } })).toBeNull();
  });
});
