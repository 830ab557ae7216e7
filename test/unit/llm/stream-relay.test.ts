import { describe, expect, it } from "vitest";
import { relayStream, type StreamEnd } from "../../../shared/llm/stream-relay.js";
import type { ChatChunk, StreamEvent, Usage } from "../../../shared/llm/types.js";
import { FakeTimers } from "../../fakes/fake-timers.js";

const decoder = new TextDecoder();

const chunk = (content: string, usage?: Usage): ChatChunk => ({
  raw: {
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 7,
    model: "upstream-snapshot-2024",
    choices: usage ? [] : [{ index: 0, delta: { content }, finish_reason: null }],
    usage: usage ?? null,
  },
  content,
  ...(usage ? { usage } : {}),
});

async function* events(list: StreamEvent[]): AsyncGenerator<StreamEvent, void, undefined> {
  for (const e of list) yield e;
}

const counted: Usage = { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 };

function relay(
  rest: AsyncGenerator<StreamEvent, void, undefined>,
  includeUsage = false,
  timers = new FakeTimers(),
  drainMs?: number,
) {
  const ends: StreamEnd[] = [];
  const drains: Promise<unknown>[] = [];
  let aborted = 0;
  const stream = relayStream({
    ...(drainMs !== undefined
      ? { drain: { waitUntil: (p: Promise<unknown>) => drains.push(p), maxMs: drainMs } }
      : {}),
    first: chunk("Hel"),
    rest,
    abort: () => aborted++,
    model: "gpt-4o-mini",
    includeUsage,
    countUsage: () => counted,
    idleTimeoutMs: 1_000,
    timers,
    onEnd: (e) => ends.push(e),
  });
  return { stream, ends, drains, aborted: () => aborted };
}

/** The client's view: each `data:` payload, parsed unless it is [DONE]. */
async function read(stream: ReadableStream<Uint8Array>): Promise<unknown[]> {
  const text = decoder.decode(new Uint8Array(await new Response(stream).arrayBuffer()));
  return text
    .split("\n\n")
    .filter((s) => s.startsWith("data: "))
    .map((s) => s.slice(6))
    .map((d) => (d === "[DONE]" ? "[DONE]" : (JSON.parse(d) as unknown)));
}

describe("relayStream", () => {
  it("passes chunks through with the catalog model id and ends with [DONE]", async () => {
    const { stream, ends } = relay(
      events([{ type: "chunk", chunk: chunk("lo") }, { type: "done" }]),
    );
    const out = await read(stream);
    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({
      model: "gpt-4o-mini",
      choices: [{ delta: { content: "Hel" } }],
    });
    expect(out[0]).not.toHaveProperty("usage");
    expect(out[2]).toBe("[DONE]");
    expect(ends).toEqual([{ outcome: "complete", text: "Hello" }]);
  });

  it("hides the upstream's usage chunk from a caller who did not ask, but still reports it", async () => {
    const usage = { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 };
    const { stream, ends } = relay(
      events([{ type: "chunk", chunk: chunk("", usage) }, { type: "done" }]),
    );
    const out = await read(stream);
    expect(out).toHaveLength(2);
    expect(ends[0]).toMatchObject({ outcome: "complete", usage });
  });

  it("passes the usage chunk on when asked, and adds a counted one if the upstream sent none", async () => {
    const usage = { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 };
    const asked = relay(
      events([{ type: "chunk", chunk: chunk("", usage) }, { type: "done" }]),
      true,
    );
    expect((await read(asked.stream))[1]).toMatchObject({ choices: [], usage });

    const none = relay(events([{ type: "done" }]), true);
    const out = await read(none.stream);
    expect(out[1]).toEqual({
      id: "chatcmpl-1",
      object: "chat.completion.chunk",
      created: 7,
      model: "gpt-4o-mini",
      choices: [],
      usage: counted,
    });
    expect(out[2]).toBe("[DONE]");
  });

  it("ends a cut stream with an error event and no [DONE], reported as failed", async () => {
    const { stream, ends, aborted } = relay(
      events([
        { type: "chunk", chunk: chunk("lo") },
        {
          type: "error",
          failure: {
            reason: "truncated",
            message: "upstream stream ended before [DONE]",
            retryable: false,
          },
        },
      ]),
    );
    const out = await read(stream);
    expect(out).not.toContain("[DONE]");
    expect(out.at(-1)).toEqual({
      error: {
        // The upstream's own words stay out of what the client sees.
        message: "the upstream stream failed (truncated)",
        type: "api_error",
        code: "stream_truncated",
        param: null,
      },
    });
    expect(ends).toMatchObject([
      { outcome: "failed", failure: { reason: "truncated" }, text: "Hello" },
    ]);
    expect(aborted()).toBe(1);
  });

  it("treats a stream that goes silent past the idle timeout as cut", async () => {
    const timers = new FakeTimers();
    async function* stalls(): AsyncGenerator<StreamEvent, void, undefined> {
      timers.advance(1_000);
      yield await new Promise<never>(() => undefined);
    }
    const { stream, ends, aborted } = relay(stalls(), false, timers);
    const out = await read(stream);
    expect(out.at(-1)).toMatchObject({ error: { code: "stream_truncated" } });
    expect(ends[0]).toMatchObject({
      outcome: "failed",
      failure: { message: "no data for 1000 ms" },
    });
    expect(aborted()).toBe(1);
  });

  it("measures silence from each read: chunks that each come in time are never cut", async () => {
    const timers = new FakeTimers();
    async function* slow(): AsyncGenerator<StreamEvent, void, undefined> {
      // 600 ms apart against a 1000 ms idle timeout: 3 s in all, never 1 s of silence.
      for (let i = 0; i < 5; i++) {
        timers.advance(600);
        yield { type: "chunk", chunk: chunk("x") };
      }
      timers.advance(600);
      yield { type: "done" };
    }
    const { stream, ends } = relay(slow(), false, timers);
    expect((await read(stream)).at(-1)).toBe("[DONE]");
    expect(ends).toMatchObject([{ outcome: "complete", text: "Helxxxxx" }]);
    expect(timers.pending()).toBe(0);
  });

  it("cuts a stream that goes silent after chunks that came in time, at exactly the timeout", async () => {
    const timers = new FakeTimers();
    let silent = (): void => undefined;
    const silence = new Promise<void>((resolve) => (silent = resolve));
    async function* slowThenSilent(): AsyncGenerator<StreamEvent, void, undefined> {
      for (let i = 0; i < 3; i++) {
        timers.advance(600);
        yield { type: "chunk", chunk: chunk("x") };
      }
      silent();
      yield await new Promise<never>(() => undefined);
    }
    const { stream, ends, aborted } = relay(slowThenSilent(), false, timers);
    const reader = stream.getReader();
    for (let i = 0; i < 4; i++) await reader.read();
    const next = reader.read();
    await silence;
    timers.advance(999);
    await Promise.resolve();
    expect(ends).toEqual([]);
    timers.advance(1);
    expect(await next).toMatchObject({ done: false });
    expect(ends).toMatchObject([
      { outcome: "failed", failure: { reason: "truncated", message: "no data for 1000 ms" } },
    ]);
    expect(aborted()).toBe(1);
    expect(timers.pending()).toBe(0);
  });

  it("keeps one idle timer for a fast stream instead of one per chunk", async () => {
    const timers = new FakeTimers();
    const many: StreamEvent[] = Array.from({ length: 50 }, () => ({
      type: "chunk" as const,
      chunk: chunk("x"),
    }));
    const { stream } = relay(events([...many, { type: "done" }]), false, timers);
    expect(await read(stream)).toHaveLength(52);
    // The idle timer, and the bound on the upstream's end of its body after [DONE].
    expect(timers.timerDelays).toEqual([1_000, 1_000]);
    expect(timers.pending()).toBe(0);
  });

  it("lets the upstream end its body after [DONE] rather than closing the connection", async () => {
    let wound = false;
    async function* upstreamBody(): AsyncGenerator<StreamEvent, void, undefined> {
      try {
        yield { type: "chunk", chunk: chunk("lo") };
        yield { type: "done" };
      } finally {
        await Promise.resolve(); // the read of the body's end
        wound = true;
      }
    }
    const timers = new FakeTimers();
    const { stream, ends, drains, aborted } = relay(upstreamBody(), false, timers, 20_000);
    expect(await read(stream)).toHaveLength(3);
    expect(ends).toMatchObject([{ outcome: "complete" }]);
    await Promise.all(drains);
    expect(wound).toBe(true);
    expect(aborted()).toBe(0);
    expect(timers.pending()).toBe(0);
  });

  it("closes the connection when the body does not end within the idle timeout after [DONE]", async () => {
    async function* neverEnds(): AsyncGenerator<StreamEvent, void, undefined> {
      try {
        yield { type: "done" };
      } finally {
        await new Promise<never>(() => undefined);
      }
    }
    const timers = new FakeTimers();
    const { stream, ends, drains, aborted } = relay(neverEnds(), false, timers, 20_000);
    expect(await read(stream)).toHaveLength(2);
    expect(ends).toMatchObject([{ outcome: "complete" }]);
    timers.advance(999);
    await Promise.resolve();
    expect(aborted()).toBe(0);
    timers.advance(1);
    await Promise.all(drains);
    expect(aborted()).toBe(1);
  });

  it("closes the upstream and reports cancelled when the client goes away", async () => {
    async function* forever(): AsyncGenerator<StreamEvent, void, undefined> {
      for (;;) yield { type: "chunk", chunk: chunk("x") };
    }
    const { stream, ends, aborted } = relay(forever());
    const reader = stream.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    expect(ends).toMatchObject([{ outcome: "cancelled", drained: false }]);
    expect(aborted()).toBe(1);
  });

  it("reads an abandoned stream to its end in waitUntil and reports the upstream's usage", async () => {
    const usage = { prompt_tokens: 15_000, completion_tokens: 4, total_tokens: 15_004 };
    const { stream, ends, drains, aborted } = relay(
      events([
        { type: "chunk", chunk: chunk("lo") },
        { type: "chunk", chunk: chunk(" there") },
        { type: "chunk", chunk: chunk("", usage) },
        { type: "done" },
      ]),
      false,
      new FakeTimers(),
      20_000,
    );
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    expect(ends).toEqual([]);
    expect(drains).toHaveLength(1);
    await Promise.all(drains);
    expect(ends).toEqual([{ outcome: "cancelled", text: "Hello there", usage, drained: true }]);
    expect(aborted()).toBe(0);
  });

  it("closes an abandoned stream whose end does not come within the bound, and says so", async () => {
    const timers = new FakeTimers();
    async function* stallsAfterOne(): AsyncGenerator<StreamEvent, void, undefined> {
      yield { type: "chunk", chunk: chunk("lo") };
      yield await new Promise<never>(() => undefined);
    }
    const { stream, ends, drains, aborted } = relay(stallsAfterOne(), false, timers, 5_000);
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    timers.advance(4_999);
    await Promise.resolve();
    expect(ends).toEqual([]);
    timers.advance(1);
    await Promise.all(drains);
    expect(ends).toEqual([{ outcome: "cancelled", text: "Hello", drained: false }]);
    expect(aborted()).toBe(1);
  });

  it("counts tool-call text as generated, for billing without usage", async () => {
    const call: ChatChunk = { raw: { choices: [] }, content: "", otherText: 'search{"q":1}' };
    const { stream, ends } = relay(events([{ type: "chunk", chunk: call }, { type: "done" }]));
    await read(stream);
    expect(ends[0]).toMatchObject({ outcome: "complete", text: 'Helsearch{"q":1}' });
  });
});
