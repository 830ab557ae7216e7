// Leases across isolates. An isolate's side of a lease is a LeaseHolder (module state of the
// Worker), so several holders calling one key's LIMITER object at once, each admitting locally
// as the Worker does, is what the pool can simulate of a key served from many isolates. A
// revocation made elsewhere is one made on the object directly, behind this isolate's back.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LEASE_MS } from "../../shared/ratelimit/lease.js";
import { LeaseHolder, type LeaseTicket } from "../../shared/ratelimit/lease-holder.js";
import type { Credential, Spend } from "../../shared/ratelimit/limiter-types.js";
import { hashApiKey } from "../../shared/security/api-key.js";
import worker from "../../workers/index.js";
import { bearer, createKey, usage } from "./limits-helpers.js";

const NEED: Spend = { tokens: 10, usd: 0 };

/** One simulated isolate: admits from its lease, else makes the one acquire call, as admission does. */
function isolate(principalId: string, credential: Credential) {
  const holder = new LeaseHolder(() => Date.now());
  const stub = env.LIMITER.get(env.LIMITER.idFromName(principalId));
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async admit(): Promise<LeaseTicket | null> {
      const local = holder.standing ? holder.take(NEED) : null;
      if (local) return local;
      calls++;
      const sentAt = Date.now();
      const r = await stub.acquire({
        credential,
        countRequest: true,
        checkBudget: false,
        need: NEED,
        lease: true,
        returns: holder.takeReturns(),
      });
      if (!r.ok || !r.grant) return null;
      holder.standing = r.standing;
      return holder.install(r.grant, sentAt, NEED);
    },
    /** Hands back every lease with nothing open (the isolate is done). */
    async finish(): Promise<void> {
      const returns = holder.takeReturns(true);
      if (returns.length > 0) await stub.report(returns);
    },
  };
}

/**
 * Sends 500 requests for a key with rpm 300 through 5 isolates, each running `lanes` chains of
 * requests one after another (500 / 5 / lanes each); settles and hands everything back.
 */
async function burst(name: string, lanes: number) {
  const { id, key } = await createKey({ name, rpm: 300 });
  const credential: Credential = { kind: "key", hash: await hashApiKey(key) };
  const pool = Array.from({ length: 5 }, () => isolate(id, credential));
  const perLane = 500 / pool.length / lanes;
  const chains = pool.flatMap((iso) =>
    Array.from({ length: lanes }, async () => {
      const got: Array<LeaseTicket | null> = [];
      for (let i = 0; i < perLane; i++) got.push(await iso.admit());
      return got;
    }),
  );
  const tickets = (await Promise.all(chains)).flat();
  expect(tickets).toHaveLength(500);
  const admitted = tickets.filter((t): t is LeaseTicket => t !== null);
  for (const t of admitted) t.settle({ tokens: 5, usd: 0 });
  await Promise.all(pool.map(async (iso) => iso.finish()));
  const calls = pool.reduce((n, iso) => n + iso.calls, 0);
  return { admitted: admitted.length, calls, after: await usage(key) };
}

describe("leases across isolates", () => {
  it(
    "rpm 300 hit by 500 concurrent requests through 5 isolates: never more than 300 admitted, none lost",
    async () => {
      // All 500 in flight at once: every one asks the object, and every grant's spare admits
      // are counted although no request is left to use them.
      const { admitted, after } = await burst("leased-isolates-500", 100);
      expect(admitted).toBeLessThanOrEqual(300);
      expect(admitted).toBeGreaterThan(0);
      // With every lease handed back, the window holds exactly the requests admitted, and the
      // bucket what they used.
      expect(after.requests.used).toBe(admitted);
      expect(after.tokens.used_today).toBe(5 * admitted);
    },
    // Like the other concurrency tests: 1-3 s here, the margin is for a loaded machine.
    60_000,
  );

  it("rpm 300 hit by 500 requests through 5 isolates, 50 at a time: leases admit locally, never more than 300", async () => {
    const { admitted, calls, after } = await burst("leased-isolates-50", 10);
    expect(admitted).toBeLessThanOrEqual(300);
    // Leases were in play: fewer calls went to the object than requests were admitted.
    expect(calls).toBeLessThan(admitted);
    expect(after.requests.used).toBe(admitted);
    expect(after.tokens.used_today).toBe(5 * admitted);
  }, 300_000);

  it("refuses a key revoked in another isolate within a lease's lifetime", async () => {
    const { id, key } = await createKey({ name: "revoked-elsewhere", rpm: 100_000 });
    const send = async () => {
      const res = await worker.fetch(
        new Request("http://ragway.test/v1/models", {
          headers: bearer(key),
        }),
        env,
        createExecutionContext(),
      );
      return { status: res.status, headers: res.headers, body: await res.text() };
    };
    // The third request takes a lease: by then the key is busy in this isolate.
    for (let i = 0; i < 3; i++) expect((await send()).status).toBe(200);
    // This isolate now admits the busy key from its lease, without asking the object.
    const leased = await send();
    expect(leased.status).toBe(200);
    expect(leased.headers.get("server-timing")).toBe('limiter;desc="lease";dur=0');

    // Revoked elsewhere: on the object, with nothing said to this isolate.
    const revoked = await env.LIMITER.get(env.LIMITER.idFromName(id)).revoke();
    expect(revoked?.status).toBe("revoked");
    // The documented bound (docs/keys-and-auth.md, docs/rate-limits.md): a lease's lifetime.
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS));
    const after = await send();
    expect(after.status).toBe(401);
    expect(JSON.parse(after.body)).toMatchObject({
      error: { message: "this API key has been revoked" },
    });
  });
});
