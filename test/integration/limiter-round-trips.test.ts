// The LIMITER calls of a request path, counted on the binding: a brand-new key's first query and
// first chat completion each make one call, awaited before their response (admission and
// reservation together, the key's grants coming back with it), and one report that settles them,
// made once the response is complete and never awaited: for a stream, after its last event.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index.js";
import { countingLimiter } from "./counting-limiter.js";
import { bearer, createKey, usage } from "./limits-helpers.js";

interface Usage {
  usage: { total_tokens: number };
}

/**
 * Sends one request as `key` with LIMITER calls recorded: those made by the time its body is
 * read, and all of them once everything the request scheduled has run.
 */
async function tracedCall(key: string, path: string, body: unknown) {
  const { res, counting, ctx } = await send(key, path, body);
  const beforeBody = [...counting.calls];
  const json = await res.json<Usage>();
  await waitOnExecutionContext(ctx);
  return { res, json, beforeBody, all: counting.calls };
}

async function send(key: string, path: string, body: unknown) {
  const counting = countingLimiter();
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://ragway.test${path}`, {
      method: "POST",
      headers: { ...bearer(key), "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    counting.env,
    ctx,
  );
  return { res, counting, ctx };
}

/** The calls the request waited on, from its Server-Timing entry. */
const awaited = (res: Response) =>
  /^limiter;desc="(\d+) calls"/.exec(res.headers.get("server-timing") ?? "")?.[1];

// Under 60 rpm a lease holds no spare admits: each request's settlement is reported on its own.
const newKey = async (name: string) => (await createKey({ name, rpm: 10 })).key;

describe("a brand-new key's first requests", () => {
  it("/v1/query: one LIMITER call awaited, then one report that settles it", async () => {
    const key = await newKey("first-query");
    const first = await tracedCall(key, "/v1/query", {
      query: "What does a first-seen key's first query cost in round trips?",
      use_cache: false,
    });
    expect(first.res.status).toBe(200);
    expect(awaited(first.res)).toBe("1");
    expect(first.all).toEqual(["acquire", "report"]);
    const after = await usage(key);
    expect(after.requests.used).toBe(1);
    // What the query used (its answer and its question's embedding) is settled, nothing held.
    expect(after.tokens.used_today).toBeGreaterThanOrEqual(first.json.usage.total_tokens);
    expect(after.tokens.used_today).toBeGreaterThan(0);
    expect(after.budget.daily.reserved_usd).toBe(0);
  });

  it("/v1/chat/completions: one LIMITER call awaited, then one report that settles it", async () => {
    const key = await newKey("first-chat");
    const messages = [{ role: "user", content: "How many round trips does this chat make?" }];
    const first = await tracedCall(key, "/v1/chat/completions", { model: "auto", messages });
    expect(first.res.status).toBe(200);
    expect(awaited(first.res)).toBe("1");
    expect(first.all).toEqual(["acquire", "report"]);
    const after = await usage(key);
    expect(after.requests.used).toBe(1);
    expect(after.tokens.used_today).toBe(first.json.usage.total_tokens);
    expect(after.budget.daily.reserved_usd).toBe(0);

    // Known to this isolate now: the next completion makes one call too.
    const again = [{ role: "user", content: "And the second one?" }];
    const second = await tracedCall(key, "/v1/chat/completions", {
      model: "auto",
      messages: again,
    });
    expect(second.res.status).toBe(200);
    expect(awaited(second.res)).toBe("1");
    expect(second.all).toEqual(["acquire", "report"]);
  });

  it("a streamed completion: settled after its last event, not before the response", async () => {
    const key = await newKey("first-stream");
    const { res, counting, ctx } = await send(key, "/v1/chat/completions", {
      model: "auto",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "When is a stream settled?" }],
    });
    expect(res.status).toBe(200);
    // The response is handed over with its admission made and nothing settled yet.
    expect(counting.calls).toEqual(["acquire"]);
    const text = await res.text();
    await waitOnExecutionContext(ctx);
    expect(counting.calls).toEqual(["acquire", "report"]);
    const usageChunk = text
      .split("\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => JSON.parse(line.slice(6)) as Partial<Usage>)
      .find((chunk) => chunk.usage);
    const after = await usage(key);
    expect(after.requests.used).toBe(1);
    expect(after.tokens.used_today).toBe(usageChunk?.usage?.total_tokens);
    expect(after.budget.daily.reserved_usd).toBe(0);
  });
});

describe("a busy key's requests", () => {
  it("wait for three LIMITER calls in all: the first three's, then leases renewed ahead of need, off their path", async () => {
    // A token rate that leaves a lease's admits, not its tokens, as what runs out.
    const { key } = await createKey({ name: "renewed-ahead", rpm: 100_000, tpm: 100_000_000 });
    const calls: string[] = [];
    const awaitedCalls: number[] = [];
    // More requests than one lease admits (64), and long enough for leases to near their end.
    for (let i = 0; i < 150; i++) {
      const { res, counting } = await send(key, "/v1/chat/completions", {
        model: "auto",
        messages: [{ role: "user", content: `Which lease admits request ${i}?` }],
      });
      expect(res.status).toBe(200);
      await res.text();
      awaitedCalls.push(Number(awaited(res) ?? 0));
      calls.push(...counting.calls);
      // A client's pace, not a loop's: the renewal (a few ms here) arrives while requests come.
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    // The first two are admitted alone (the key is not busy here yet), the third with a lease.
    expect(awaitedCalls.reduce((a, b) => a + b, 0)).toBe(3);
    expect(awaitedCalls.slice(0, 3)).toEqual([1, 1, 1]);
    expect(calls).toContain("renew");
    expect(calls.filter((c) => c === "acquire")).toHaveLength(3);
  });
});
