import { describe, expect, it } from "vitest";
import type { Limits } from "../../../shared/ratelimit/limits.js";
import type { Credential, PrincipalRecord } from "../../../shared/ratelimit/limiter-types.js";
import { PrincipalLimiter } from "../../../shared/ratelimit/principal-limiter.js";
import { fakeClock } from "../../fakes/fake-clock.js";
import { MemoryLimiterStore } from "../../fakes/memory-limiter-store.js";

const LIMITS: Limits = { rpm: 3, tpm: 6_000, dailyBudgetUsd: 1, monthlyBudgetUsd: 10 };
const HASH = "a".repeat(64);
const KEY: Credential = { kind: "key", hash: HASH };

function setup(limits: Partial<Limits> = {}) {
  const clock = fakeClock();
  const store = new MemoryLimiterStore();
  let n = 0;
  const make = () => new PrincipalLimiter(store, clock, () => `r${++n}`);
  const limiter = make();
  const record: PrincipalRecord = {
    id: "key_1",
    kind: "key",
    name: "test",
    keyHash: HASH,
    status: "active",
    createdAt: clock(),
    revokedAt: null,
    limits: { ...LIMITS, ...limits },
  };
  limiter.register(record);
  return { clock, store, limiter, restart: make };
}

function admit(limiter: PrincipalLimiter, checkBudget = false) {
  const r = limiter.admit({ credential: KEY, countRequest: true, checkBudget });
  if (!r.ok) throw new Error(`not authenticated: ${r.auth}`);
  return r;
}

function reserved(limiter: PrincipalLimiter, tokens: number, usd: number) {
  const r = limiter.reserve({ tokens, usd });
  if (!r.ok) throw new Error(`refused: ${r.decision.reason}`);
  return r;
}

describe("PrincipalLimiter: keys", () => {
  it("admits the key whose hash it holds and nothing else", () => {
    const { limiter } = setup();
    // A record without grants (a key from before scopes) keeps every scope on default.
    expect(admit(limiter).principal).toEqual({
      id: "key_1",
      kind: "key",
      name: "test",
      grants: {
        namespaces: ["default"],
        scopes: ["query", "chat", "embeddings", "documents:read", "documents:write"],
      },
    });
    const wrong = limiter.admit({
      credential: { kind: "key", hash: "b".repeat(64) },
      countRequest: true,
      checkBudget: false,
    });
    expect(wrong).toEqual({ ok: false, auth: "unknown" });
  });

  it("does not know a key it never registered", () => {
    const limiter = new PrincipalLimiter(new MemoryLimiterStore(), fakeClock(), () => "x");
    expect(limiter.admit({ credential: KEY, countRequest: true, checkBudget: false })).toEqual({
      ok: false,
      auth: "unknown",
    });
    expect(limiter.revoke()).toBeNull();
  });

  it("refuses a revoked key on the very next admit, and after a restart", () => {
    const { limiter, restart } = setup();
    admit(limiter);
    expect(limiter.revoke()?.status).toBe("revoked");
    const again = { credential: KEY, countRequest: true, checkBudget: false };
    expect(limiter.admit(again)).toEqual({ ok: false, auth: "revoked" });
    expect(restart().admit(again)).toEqual({ ok: false, auth: "revoked" });
  });

  it("never registers over an existing principal", () => {
    const { limiter } = setup();
    const other = limiter.record();
    if (!other) throw new Error("no record");
    expect(limiter.register({ ...other, keyHash: "c".repeat(64) })).toBe(false);
    expect(limiter.record()?.keyHash).toBe(HASH);
  });
});

describe("PrincipalLimiter: anonymous principals", () => {
  it("is created on first sight with the configured limits and follows their changes", () => {
    const limiter = new PrincipalLimiter(new MemoryLimiterStore(), fakeClock(), () => "x");
    const anon = (rpm: number): Credential => ({
      kind: "anonymous",
      id: "anon_1",
      limits: { ...LIMITS, rpm },
    });
    const first = limiter.admit({ credential: anon(2), countRequest: true, checkBudget: false });
    expect(first.ok && first.standing.requests).toMatchObject({ limit: 2, remaining: 1 });
    const second = limiter.admit({ credential: anon(5), countRequest: true, checkBudget: false });
    expect(second.ok && second.standing.requests).toMatchObject({ limit: 5, remaining: 3 });
  });

  it("does not let an anonymous credential into a key's limiter", () => {
    const { limiter } = setup();
    const r = limiter.admit({
      credential: { kind: "anonymous", id: "key_1", limits: LIMITS },
      countRequest: true,
      checkBudget: false,
    });
    expect(r).toEqual({ ok: false, auth: "unknown" });
  });
});

describe("PrincipalLimiter: requests per minute", () => {
  it("admits rpm requests, refuses the next with the time until a slot frees", () => {
    const { limiter, clock } = setup();
    admit(limiter);
    clock.advance(10_000);
    admit(limiter);
    admit(limiter);
    const refused = admit(limiter).decision;
    expect(refused).toMatchObject({ allowed: false, reason: "requests", policy: "rpm" });
    expect(refused.retryAfterMs).toBe(50_000);
    clock.advance(50_000);
    expect(admit(limiter).decision.allowed).toBe(true);
  });

  it("does not count a refused request, nor a request that only reads", () => {
    const { limiter } = setup();
    for (let i = 0; i < 5; i++) admit(limiter);
    const read = limiter.admit({ credential: KEY, countRequest: false, checkBudget: false });
    expect(read.ok && read.decision.allowed).toBe(true);
    expect(read.ok && read.standing.requests.used).toBe(3);
  });

  it("keeps its window across a restart", () => {
    const { limiter, restart } = setup();
    for (let i = 0; i < 3; i++) admit(limiter);
    expect(admit(restart()).decision.reason).toBe("requests");
  });
});

describe("PrincipalLimiter: reservations", () => {
  it("reserves tokens, then settling refunds what was not used", () => {
    const { limiter } = setup();
    const r = reserved(limiter, 1_000, 0);
    expect(r.standing.tokens.remaining).toBe(5_000);
    const settled = limiter.settle({ id: r.id, tokens: 300, usd: 0 });
    expect(settled.settled).toBe(true);
    expect(settled.standing.tokens.remaining).toBe(5_700);
    expect(settled.standing.daily.tokens).toBe(300);
  });

  it("charges usage beyond the reservation", () => {
    const { limiter } = setup();
    const r = reserved(limiter, 1_000, 0.01);
    const s = limiter.settle({ id: r.id, tokens: 4_000, usd: 0.5 });
    expect(s.standing.tokens.remaining).toBe(2_000);
    expect(s.standing.daily).toMatchObject({ spentUsd: 0.5, reservedUsd: 0 });
  });

  it("settles each reservation once", () => {
    const { limiter } = setup();
    const r = reserved(limiter, 1_000, 0.1);
    limiter.settle({ id: r.id, tokens: 1_000, usd: 0.1 });
    const again = limiter.settle({ id: r.id, tokens: 1_000, usd: 0.1 });
    expect(again.settled).toBe(false);
    expect(again.standing.daily.spentUsd).toBe(0.1);
  });

  it("refuses tokens it does not have with a truthful wait, and holds nothing for it", () => {
    const { limiter, clock } = setup();
    admit(limiter);
    reserved(limiter, 5_500, 0);
    const before = limiter.standing();
    const refused = limiter.reserve({ tokens: 1_000, usd: 0.2 });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.decision).toMatchObject({ reason: "tokens", policy: "tpm", limit: 6_000 });
    expect(refused.decision.retryAfterMs).toBe(5_000);
    // Nothing held: not the tokens, not the budget. The request the window admitted still
    // counts (a token refusal after admission consumes the request, docs/rate-limits.md).
    expect(refused.standing.tokens.remaining).toBe(before?.tokens.remaining);
    expect(refused.standing.daily.reservedUsd).toBe(0);
    expect(refused.standing.requests.used).toBe(1);
    clock.advance(refused.decision.retryAfterMs - 1);
    expect(limiter.reserve({ tokens: 1_000, usd: 0 }).ok).toBe(false);
    clock.advance(1);
    expect(limiter.reserve({ tokens: 1_000, usd: 0 }).ok).toBe(true);
  });

  it("refuses a request larger than the whole bucket as too large", () => {
    const { limiter } = setup();
    const r = limiter.reserve({ tokens: 6_001, usd: 0 });
    expect(!r.ok && r.decision.reason).toBe("request_too_large");
  });
});

describe("PrincipalLimiter: budgets", () => {
  it("holds concurrent reservations against the budget so they cannot all pass", () => {
    const { limiter } = setup({ dailyBudgetUsd: 0.25 });
    const admitted = [];
    for (let i = 0; i < 10; i++) {
      const r = limiter.reserve({ tokens: 10, usd: 0.1 });
      if (r.ok) admitted.push(r.id);
      else expect(r.decision).toMatchObject({ reason: "daily_budget", policy: "daily_usd" });
    }
    expect(admitted).toHaveLength(2);
  });

  it("stops at the budget: the request that crosses it is the last admitted", () => {
    const { limiter, clock } = setup({ dailyBudgetUsd: 0.05 });
    const a = reserved(limiter, 10, 0.01);
    limiter.settle({ id: a.id, tokens: 10, usd: 0.2 }); // the upstream reported far more
    const gate = limiter.admit({ credential: KEY, countRequest: true, checkBudget: true });
    expect(gate.ok && gate.decision).toMatchObject({ allowed: false, reason: "daily_budget" });
    const midnight = Date.UTC(2026, 10, 29);
    expect(gate.ok && gate.decision.retryAfterMs).toBe(midnight - clock());
    expect(gate.ok && gate.standing.requests.used).toBe(0);
    expect(limiter.reserve({ tokens: 10, usd: 0.001 }).ok).toBe(false);
    // Free requests still fit a spent budget; the next UTC day starts afresh.
    expect(limiter.reserve({ tokens: 10, usd: 0 }).ok).toBe(true);
    clock.set(midnight);
    expect(limiter.reserve({ tokens: 10, usd: 0.001 }).ok).toBe(true);
  });

  it("says the monthly budget when that is what ran out, waiting until the month ends", () => {
    const { limiter, clock } = setup({ dailyBudgetUsd: 5, monthlyBudgetUsd: 0.3 });
    const a = reserved(limiter, 0, 0.3);
    limiter.settle({ id: a.id, tokens: 0, usd: 0.3 });
    const r = limiter.reserve({ tokens: 0, usd: 0.01 });
    expect(!r.ok && r.decision.reason).toBe("monthly_budget");
    expect(!r.ok && r.decision.retryAfterMs).toBe(Date.UTC(2026, 11, 1) - clock());
  });

  it("waits briefly rather than until the reset when only requests in flight hold the rest", () => {
    const { limiter } = setup({ dailyBudgetUsd: 0.1 });
    reserved(limiter, 0, 0.08);
    const r = limiter.reserve({ tokens: 0, usd: 0.05 });
    expect(!r.ok && r.decision.retryAfterMs).toBe(1_000);
  });

  it("reports once, per budget, the charge that carries settled spend past 80%", () => {
    const { limiter } = setup({ dailyBudgetUsd: 1, monthlyBudgetUsd: 1.25 });
    const settle = (usd: number) => {
      const r = reserved(limiter, 0, 0.01);
      return limiter.settle({ id: r.id, tokens: 0, usd }).nearLimit;
    };
    expect(settle(0.5)).toEqual([]);
    expect(settle(0.3)).toEqual(["day"]); // 0.8 of the daily budget
    expect(settle(0.1)).toEqual([]);
    expect(settle(0.1)).toEqual(["month"]); // 1.0 of 1.25
  });

  it("keeps spend exact in nano-dollars over many tiny charges", () => {
    const { limiter } = setup();
    for (let i = 0; i < 1_000; i++) {
      const r = reserved(limiter, 0, 0.000_000_3);
      limiter.settle({ id: r.id, tokens: 0, usd: 0.000_000_3 });
    }
    expect(limiter.standing()?.daily.spentUsd).toBe(0.0003);
  });

  it("counts a reservation never settled as spent after its TTL; a late settle corrects it", () => {
    const clock = fakeClock();
    const store = new MemoryLimiterStore();
    const limiter = new PrincipalLimiter(store, clock, () => "r1", { reservationTtlMs: 1_000 });
    limiter.register({
      id: "key_1",
      kind: "key",
      name: "t",
      keyHash: HASH,
      status: "active",
      createdAt: 0,
      revokedAt: null,
      limits: LIMITS,
    });
    reserved(limiter, 100, 0.2);
    clock.advance(1_001);
    expect(limiter.standing()?.daily).toMatchObject({ spentUsd: 0.2, reservedUsd: 0 });
    limiter.settle({ id: "r1", tokens: 100, usd: 0.05 });
    expect(limiter.standing()?.daily).toMatchObject({ spentUsd: 0.05, reservedUsd: 0 });
  });

  it("keeps spend, reservations and the bucket across a restart", () => {
    const { limiter, restart } = setup();
    const open = reserved(limiter, 2_000, 0.3);
    const done = reserved(limiter, 1_000, 0.2);
    limiter.settle({ id: done.id, tokens: 1_000, usd: 0.2 });
    const before = limiter.standing();
    const revived = restart();
    expect(revived.standing()).toEqual(before);
    expect(revived.settle({ id: open.id, tokens: 500, usd: 0.1 }).standing.daily).toMatchObject({
      spentUsd: 0.3,
      reservedUsd: 0,
    });
  });
});
