// The request path's round trips: an admitted chat completion makes one LIMITER call before its
// response (admission and reservation together), and its settlement happens after the response.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../../../workers/index.js";
import { bearer, createKey, usage } from "../limits-helpers.js";
import { upstream } from "./upstream-control.js";

// gpt-4o-mini at $0.15 / $0.60 per 1M tokens: 20,000 + 1,000 reported tokens cost $0.0036.
const REPORTED = { usage: { prompt_tokens: 20_000, completion_tokens: 1_000 } };

beforeEach(async () => {
  await upstream(env).reset();
});

function chatRequest(key: string, content: string, stream = false): Request {
  return new Request("http://ragway.test/v1/chat/completions", {
    method: "POST",
    headers: { ...bearer(key), "content-type": "application/json" },
    body: JSON.stringify({
      model: "gpt-4o-mini",
      max_tokens: 50,
      messages: [{ role: "user", content }],
      ...(stream ? { stream } : {}),
    }),
  });
}

describe("an admitted chat completion", () => {
  it("makes one LIMITER call before its response and settles after it", async () => {
    await upstream(env).faults(REPORTED);
    const { key } = await createKey({ name: "one-call", daily_budget_usd: 1 });
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      chatRequest(key, "one round trip?") as Parameters<typeof worker.fetch>[0],
      env,
      ctx,
    );
    expect(res.status).toBe(200);
    await res.text();
    // Everything awaited before the response: admission and reservation, in one call.
    expect(res.headers.get("server-timing")).toMatch(/^limiter;desc="1 calls";dur=/);
    await waitOnExecutionContext(ctx);
    // Settled after the response, with the usage the upstream reported.
    const after = await usage(key);
    expect(after.budget.daily.reserved_usd).toBe(0);
    expect(after.budget.daily.spent_usd).toBeCloseTo(0.0036, 9);
    expect(after.tokens.used_today).toBe(21_000);
    expect(after.requests.used).toBe(1);
  });
});

describe("a streamed chat completion", () => {
  it("leaves its upstream connection open for the next call instead of closing it", async () => {
    const { key } = await createKey({ name: "stream-reuse" });
    const streams = 6;
    for (let i = 0; i < streams; i++) {
      const ctx = createExecutionContext();
      const res = await worker.fetch(
        chatRequest(key, `stream ${i}`, true) as Parameters<typeof worker.fetch>[0],
        env,
        ctx,
      );
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/data: \[DONE\]\n\n$/);
      await waitOnExecutionContext(ctx);
    }
    const counts = await upstream(env).counts();
    expect(counts.chatStream).toBe(streams);
    // A stream whose body was left unread after [DONE] closes its connection: one per stream.
    expect(counts.connections).toBeLessThanOrEqual(2);
  });
});

describe("nothing that costs money runs before a reservation covers it", () => {
  it("does not embed a question whose embedding the key's tpm cannot cover", async () => {
    const { key } = await createKey({ name: "no-embed-before-reserve", tpm: 5 });
    const question = `${"Which reservation covers this rather long question about "}${"tokens ".repeat(20)}?`;
    const res = await worker.fetch(
      new Request("http://ragway.test/v1/query", {
        method: "POST",
        headers: { ...bearer(key), "content-type": "application/json" },
        body: JSON.stringify({ query: question, use_cache: false }),
      }),
      env,
      createExecutionContext(),
    );
    expect(res.status).toBe(413);
    // Refused before the paid embedding call, not after it.
    expect((await upstream(env).counts()).embeddings).toBe(0);
    // The request still counts against the window.
    expect((await usage(key)).requests.used).toBe(1);
  });
});
