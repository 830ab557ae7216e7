import { describe, expect, it } from "vitest";
import {
  LEASE_MS,
  leaseAdmits,
  leasePool,
  MAX_LEASE_ADMITS,
} from "../../../shared/ratelimit/lease.js";
import { LeaseHolder, type LeaseTicket } from "../../../shared/ratelimit/lease-holder.js";
import type { Limits } from "../../../shared/ratelimit/limits.js";
import type { Credential, Spend } from "../../../shared/ratelimit/limiter-types.js";
import { PrincipalLimiter } from "../../../shared/ratelimit/principal-limiter.js";
import { fakeClock } from "../../fakes/fake-clock.js";
import { MemoryLimiterStore } from "../../fakes/memory-limiter-store.js";
import { seeded } from "../../support/seeded-random.js";

const HASH = "c".repeat(64);
const KEY: Credential = { kind: "key", hash: HASH };

function setup(limits: Partial<Limits>) {
  const clock = fakeClock();
  const store = new MemoryLimiterStore();
  let n = 0;
  const limiter = new PrincipalLimiter(store, clock, () => `r${++n}`);
  limiter.register({
    id: "key_lease",
    kind: "key",
    name: "lease",
    keyHash: HASH,
    status: "active",
    createdAt: clock(),
    revokedAt: null,
    limits: { rpm: 60, tpm: 1_000_000, dailyBudgetUsd: 100, monthlyBudgetUsd: 1000, ...limits },
  });
  return { clock, limiter };
}

/**
 * One isolate: admits locally under its lease, else makes the one acquire call. With `renew`, a
 * request admitted under a lease running low asks for the next one ahead of need: answered at
 * once ("now"), or only when the isolate's next request arrives ("late", as a call that takes a
 * while; the lease's lifetime still runs from when it was asked).
 */
function isolate(limiter: PrincipalLimiter, clock: () => number, renew?: "now" | "late") {
  const holder = new LeaseHolder(clock);
  let calls = 0;
  let renewals = 0;
  let pending: (() => void) | null = null;
  const askRenewal = (): void => {
    if (!renew || !holder.shouldRenew()) return;
    const need = holder.expected;
    holder.renewalStarted();
    renewals++;
    const sentAt = clock();
    const returns = holder.takeReturns();
    pending = () => {
      const r = limiter.renew({ credential: KEY, need, returns });
      holder.renewalEnded();
      if (!r.ok) return;
      holder.standing = r.standing;
      if (r.grant) holder.hold(r.grant, sentAt);
    };
    if (renew === "now") answerRenewal();
  };
  const answerRenewal = (): void => {
    const answer = pending;
    pending = null;
    answer?.();
  };
  return {
    holder,
    /** Calls a request waited for (acquire); renewals ahead of need are not among them. */
    get calls() {
      return calls;
    },
    get renewals() {
      return renewals;
    },
    admit(need: Spend): LeaseTicket | "refused" | "revoked" {
      answerRenewal();
      const busy = holder.noteRequest();
      const local = holder.standing ? holder.take(need) : null;
      if (local) {
        askRenewal();
        return local;
      }
      calls++;
      const r = limiter.acquire({
        credential: KEY,
        countRequest: true,
        checkBudget: false,
        need,
        lease: busy,
        returns: holder.takeReturns(),
      });
      if (!r.ok) return "revoked";
      holder.standing = r.standing;
      if (!r.grant) return "refused";
      return holder.install(r.grant, clock(), need);
    },
    flush() {
      answerRenewal();
      const returns = holder.takeReturns();
      if (returns.length > 0) limiter.report(returns);
    },
  };
}

/**
 * 4,000 requests over four isolates in turn (isolate `i` renewing as `renew(i)` says), about
 * 30 ms apart, each isolate handing its leases back now and then: when each admitted one was.
 */
function slidingWindowRun(rpm: number, renew: (i: number) => "now" | "late" | undefined) {
  const { clock, limiter } = setup({ rpm });
  const isolates = Array.from({ length: 4 }, (_, i) => isolate(limiter, clock, renew(i)));
  const random = seeded(7);
  const admittedAt: number[] = [];
  for (let i = 0; i < 4_000; i++) {
    const iso = isolates[i % isolates.length];
    if (!iso) throw new Error("no isolate");
    const r = iso.admit({ tokens: 0, usd: 0 });
    if (typeof r !== "string") {
      admittedAt.push(clock());
      r.settle({ tokens: 0, usd: 0 });
    }
    if (random() < 0.05) iso.flush();
    clock.advance(Math.floor(random() * 60));
  }
  return admittedAt;
}

/** No 60 s span of the (sorted) admission times holds more than `rpm` of them. */
function expectNoSpanOver(admittedAt: number[], rpm: number): void {
  let head = 0;
  for (let j = 0; j < admittedAt.length; j++) {
    const at = admittedAt[j] ?? 0;
    while ((admittedAt[head] ?? 0) <= at - 60_000) head++;
    expect(j - head + 1).toBeLessThanOrEqual(rpm);
  }
}

describe("lease size", () => {
  it("is one for a slow key and dozens for a busy one", () => {
    expect(leaseAdmits(60, 59)).toBe(1);
    expect(leaseAdmits(50, 49)).toBe(1);
    expect(leaseAdmits(100_000, 99_999)).toBe(MAX_LEASE_ADMITS);
    expect(MAX_LEASE_ADMITS).toBeGreaterThanOrEqual(24);
  });

  it("shrinks with what is left of the window", () => {
    expect(leaseAdmits(100_000, 40)).toBe(11);
    expect(leaseAdmits(100_000, 3)).toBe(1);
    expect(leaseAdmits(100_000, 0)).toBe(1);
  });

  it("takes tokens or USD per admit, at most a quarter of what is left, never less than asked", () => {
    expect(leasePool(100, 10, 1_000_000)).toBe(1_000);
    expect(leasePool(100, 10, 2_000)).toBe(500);
    expect(leasePool(100, 10, 120)).toBe(100);
    expect(leasePool(0, 10, 1_000)).toBe(0);
  });
});

describe("asking for a lease", () => {
  it("waits until two other requests began within a lease's lifetime", () => {
    const clock = fakeClock();
    const holder = new LeaseHolder(clock);
    expect(holder.noteRequest()).toBe(false);
    clock.advance(300);
    expect(holder.noteRequest()).toBe(false);
    clock.advance(300);
    expect(holder.noteRequest()).toBe(true);
    // 1 req/s: never two others within a second, so never a lease.
    clock.advance(LEASE_MS);
    expect(holder.noteRequest()).toBe(false);
    clock.advance(LEASE_MS);
    expect(holder.noteRequest()).toBe(false);
    // A burst begins: its first has one other within a second, its second two.
    expect(holder.noteRequest()).toBe(false);
    expect(holder.noteRequest()).toBe(true);
    expect(holder.noteRequest()).toBe(true);
  });

  it("holds nothing for a key that is not busy: its settlement goes back at once", () => {
    const { clock, limiter } = setup({ rpm: 100_000, tpm: 1_000_000 });
    const iso = isolate(limiter, clock);
    for (let i = 0; i < 5; i++) {
      const r = iso.admit({ tokens: 1_000, usd: 0 });
      if (typeof r === "string") throw new Error(r);
      r.settle({ tokens: 100, usd: 0 });
      // Nothing of the lease's kind to wait for: no spare admits, no pool beyond the request.
      expect(iso.holder.hasLive()).toBe(false);
      const returns = iso.holder.takeReturns();
      expect(returns).toHaveLength(1);
      expect(returns[0]).toMatchObject({ spareAt: null, unusedAdmits: 0 });
      limiter.report(returns);
      clock.advance(LEASE_MS);
    }
    expect(iso.calls).toBe(5);
    expect(limiter.standing()?.daily.tokens).toBe(500);
  });
});

describe("leases over one limiter", () => {
  it("never let a key exceed its rpm: 500 requests from 5 isolates in random order", () => {
    const rpm = 300;
    const { clock, limiter } = setup({ rpm });
    const isolates = Array.from({ length: 5 }, () => isolate(limiter, clock));
    const random = seeded(11);
    const admittedAt: number[] = [];
    for (let i = 0; i < 500; i++) {
      const iso = isolates[Math.floor(random() * isolates.length)];
      if (!iso) throw new Error("no isolate");
      const r = iso.admit({ tokens: 10, usd: 0 });
      if (typeof r !== "string") {
        admittedAt.push(clock());
        r.settle({ tokens: 5, usd: 0 });
      }
      clock.advance(Math.floor(random() * 40)); // 500 requests over about 10 s
    }
    expect(admittedAt.length).toBeLessThanOrEqual(rpm);
    // Leases made fewer calls than requests.
    expect(isolates.reduce((n, i) => n + i.calls, 0)).toBeLessThan(500);
  });

  it("never exceed the limit in any 60 s span, with leases handed back and the window sliding", () => {
    const rpm = 600;
    const admittedAt = slidingWindowRun(rpm, () => undefined);
    expectNoSpanOver(admittedAt, rpm);
    // Handing unused admits back lets the window fill: most of what the limit allows is used.
    expect(admittedAt.length).toBeGreaterThan(rpm * 1.5);
  });

  it("gives one round trip per request to a slow key and one per dozens to a busy one", () => {
    const slow = setup({ rpm: 60 });
    const a = isolate(slow.limiter, slow.clock);
    for (let i = 0; i < 30; i++) {
      const r = a.admit({ tokens: 1, usd: 0 });
      if (typeof r !== "string") r.settle({ tokens: 1, usd: 0 });
      slow.clock.advance(1_000);
    }
    expect(a.calls).toBe(30);

    const busy = setup({ rpm: 100_000 });
    const b = isolate(busy.limiter, busy.clock);
    for (let i = 0; i < 640; i++) {
      const r = b.admit({ tokens: 1, usd: 0 });
      if (typeof r !== "string") r.settle({ tokens: 1, usd: 0 });
      busy.clock.advance(1);
    }
    expect(b.calls).toBeLessThanOrEqual(640 / 24);
  });

  it("settles what leased requests used when the lease goes back: unused tokens return", () => {
    const { clock, limiter } = setup({ rpm: 100_000, tpm: 1_000_000 });
    const iso = isolate(limiter, clock);
    for (let i = 0; i < 10; i++) {
      const r = iso.admit({ tokens: 1_000, usd: 0.001 });
      if (typeof r === "string") throw new Error(r);
      r.settle({ tokens: 100, usd: 0.0001 });
    }
    clock.advance(LEASE_MS);
    iso.flush();
    const standing = limiter.standing();
    expect(standing?.daily.tokens).toBe(1_000);
    expect(standing?.daily.spentUsd).toBeCloseTo(0.001, 9);
    expect(standing?.daily.reservedUsd).toBe(0);
    expect(standing?.requests.used).toBe(10);
  });

  it("refuses a revoked key within one lease lifetime", () => {
    const { clock, limiter } = setup({ rpm: 100_000 });
    const iso = isolate(limiter, clock);
    expect(typeof iso.admit({ tokens: 0, usd: 0 })).not.toBe("string");
    limiter.revoke();
    const revokedAt = clock();
    let last: ReturnType<typeof iso.admit> = "refused";
    while (clock() - revokedAt <= LEASE_MS + 1) {
      last = iso.admit({ tokens: 0, usd: 0 });
      if (last === "revoked") break;
      clock.advance(10);
    }
    expect(last).toBe("revoked");
    expect(clock() - revokedAt).toBeLessThanOrEqual(LEASE_MS);
  });
});

describe("leases renewed ahead of need", () => {
  it("keep a busy key's requests off the object: only its first three wait for it", () => {
    const { clock, limiter } = setup({ rpm: 100_000 });
    const iso = isolate(limiter, clock, "now");
    for (let i = 0; i < 2_000; i++) {
      const r = iso.admit({ tokens: 1, usd: 0 });
      if (typeof r === "string") throw new Error(`refused: ${r}`);
      r.settle({ tokens: 1, usd: 0 });
      clock.advance(1);
    }
    // The first two are admitted alone (the key is not busy here yet); the third takes a lease.
    expect(iso.calls).toBe(3);
    // About one renewal per lease's worth of requests: no more calls than leases made before.
    expect(iso.renewals).toBeLessThanOrEqual(2_000 / 24);
  });

  it("never let a key exceed its rpm: 500 requests from 5 isolates, renewals answered late", () => {
    const rpm = 300;
    const { clock, limiter } = setup({ rpm });
    const isolates = Array.from({ length: 5 }, () => isolate(limiter, clock, "late"));
    const random = seeded(11);
    let admitted = 0;
    for (let i = 0; i < 500; i++) {
      const iso = isolates[Math.floor(random() * isolates.length)];
      if (!iso) throw new Error("no isolate");
      const r = iso.admit({ tokens: 10, usd: 0 });
      if (typeof r !== "string") {
        admitted++;
        r.settle({ tokens: 5, usd: 0 });
      }
      clock.advance(Math.floor(random() * 40));
    }
    expect(admitted).toBeLessThanOrEqual(rpm);
    expect(admitted).toBeGreaterThan(rpm / 2);
    expect(isolates.reduce((n, i) => n + i.renewals, 0)).toBeGreaterThan(0);
  });

  it("never exceed the limit in any 60 s span, with renewals, hand-backs and the window sliding", () => {
    const rpm = 600;
    const admittedAt = slidingWindowRun(rpm, (i) => (i % 2 === 0 ? "now" : "late"));
    expectNoSpanOver(admittedAt, rpm);
    expect(admittedAt.length).toBeGreaterThan(rpm * 1.5);
  });

  it("are asked one at a time, and again if one goes unanswered for a lease's lifetime", () => {
    const { clock, limiter } = setup({ rpm: 100_000 });
    const holder = new LeaseHolder(clock);
    const r = limiter.renew({ credential: KEY, need: { tokens: 0, usd: 0 }, returns: [] });
    if (!r.ok || !r.grant) throw new Error("no grant");
    holder.hold(r.grant, clock());
    expect(holder.shouldRenew()).toBe(false);
    clock.advance(LEASE_MS * 0.75);
    expect(holder.shouldRenew()).toBe(true);
    holder.renewalStarted();
    expect(holder.shouldRenew()).toBe(false);
    clock.advance(LEASE_MS * 0.2);
    expect(holder.shouldRenew()).toBe(false);
    holder.renewalEnded();
    expect(holder.shouldRenew()).toBe(true);
    holder.renewalStarted();
    clock.advance(LEASE_MS);
    // Unanswered for a lifetime: the lease is gone by now, and with it any reason to renew.
    expect(holder.shouldRenew()).toBe(false);
    holder.hold(r.grant, clock());
    clock.advance(LEASE_MS * 0.8);
    expect(holder.shouldRenew()).toBe(true);
  });

  it("are never asked for by a key too slow for leases", () => {
    const { clock, limiter } = setup({ rpm: 60 });
    const iso = isolate(limiter, clock, "now");
    for (let i = 0; i < 30; i++) {
      const r = iso.admit({ tokens: 1, usd: 0 });
      if (typeof r !== "string") r.settle({ tokens: 1, usd: 0 });
      clock.advance(1_000);
    }
    expect(iso.calls).toBe(30);
    expect(iso.renewals).toBe(0);
  });

  it("count no request of their own: unused, they leave the window as they found it", () => {
    const { clock, limiter } = setup({ rpm: 100_000 });
    const holder = new LeaseHolder(clock);
    const r = limiter.renew({ credential: KEY, need: { tokens: 10, usd: 0 }, returns: [] });
    if (!r.ok || !r.grant) throw new Error("no grant");
    expect(r.grant.spareAdmits).toBe(MAX_LEASE_ADMITS - 1);
    expect(r.grant.held.tokens).toBe(10 * (MAX_LEASE_ADMITS - 1));
    holder.hold(r.grant, clock());
    clock.advance(LEASE_MS);
    limiter.report(holder.takeReturns());
    expect(limiter.standing()?.requests.remaining).toBe(100_000);
  });

  it("learn a revocation: a revoked key's renewal is refused, and what it hands back is settled", () => {
    const { clock, limiter } = setup({ rpm: 100_000 });
    const iso = isolate(limiter, clock);
    const ticket = iso.admit({ tokens: 100, usd: 0 });
    if (typeof ticket === "string") throw new Error("not admitted");
    ticket.settle({ tokens: 40, usd: 0 });
    limiter.revoke();
    clock.advance(LEASE_MS);
    const r = limiter.renew({
      credential: KEY,
      need: { tokens: 100, usd: 0 },
      returns: iso.holder.takeReturns(),
    });
    expect(r).toMatchObject({ ok: false, auth: "revoked" });
    // The lease's hold is released and what its request used is charged.
    expect(limiter.standing()?.daily.tokens).toBe(40);
  });

  it("are not granted when a request arriving now would be refused", () => {
    const { limiter } = setup({ rpm: 200 });
    for (let i = 0; i < 200; i++) {
      limiter.acquire({
        credential: KEY,
        countRequest: true,
        checkBudget: false,
        need: { tokens: 0, usd: 0 },
        lease: false,
        returns: [],
      });
    }
    const r = limiter.renew({ credential: KEY, need: { tokens: 0, usd: 0 }, returns: [] });
    expect(r.ok && r.grant).toBe(null);
  });
});

describe("a lease that held nothing", () => {
  it("still charges what its requests reported using", () => {
    const { clock, limiter } = setup({ rpm: 60 });
    const iso = isolate(limiter, clock);
    const ticket = iso.admit({ tokens: 0, usd: 0 });
    if (typeof ticket === "string") throw new Error(ticket);
    ticket.settle({ tokens: 20, usd: 0.0004 });
    iso.flush();
    const standing = limiter.standing();
    expect(standing?.daily.tokens).toBe(20);
    expect(standing?.daily.spentUsd).toBeCloseTo(0.0004, 9);
  });
});

describe("handing leases back", () => {
  it("says nothing of a lease that held nothing, spent nothing and has nothing to give back", () => {
    const { clock, limiter } = setup({ rpm: 60 });
    const iso = isolate(limiter, clock);
    const ticket = iso.admit({ tokens: 0, usd: 0 });
    if (typeof ticket === "string") throw new Error(ticket);
    ticket.settle({ tokens: 0, usd: 0 });
    expect(iso.holder.takeReturns()).toEqual([]);
    expect(iso.holder.size).toBe(0);
  });

  it("keeps a lease while a request admitted under it is still open", () => {
    const { clock, limiter } = setup({ rpm: 60 });
    const iso = isolate(limiter, clock);
    const ticket = iso.admit({ tokens: 10, usd: 0 });
    if (typeof ticket === "string") throw new Error(ticket);
    clock.advance(LEASE_MS * 5);
    expect(iso.holder.takeReturns()).toEqual([]);
    ticket.settle({ tokens: 4, usd: 0 });
    const [returned] = iso.holder.takeReturns();
    expect(returned?.used).toEqual({ tokens: 4, usd: 0 });
    expect(returned?.reservationId).not.toBeNull();
  });
});

describe("acquire: the principal's grants", () => {
  const need: Spend = { tokens: 10, usd: 0 };
  const acquire = (limiter: PrincipalLimiter) =>
    limiter.acquire({
      credential: KEY,
      countRequest: true,
      checkBudget: false,
      need,
      lease: false,
      returns: [],
    });

  it("returns the key's stored grants with its admission", () => {
    const clock = fakeClock();
    const limiter = new PrincipalLimiter(new MemoryLimiterStore(), clock, () => "r");
    limiter.register({
      id: "key_ns",
      kind: "key",
      name: "ns",
      keyHash: HASH,
      status: "active",
      createdAt: clock(),
      revokedAt: null,
      limits: { rpm: 60, tpm: 1_000_000, dailyBudgetUsd: 100, monthlyBudgetUsd: 1000 },
      grants: { namespaces: ["team-a"], scopes: ["query"] },
    });
    const r = acquire(limiter);
    expect(r.ok && r.principal.grants).toEqual({ namespaces: ["team-a"], scopes: ["query"] });
  });

  it("gives a key from before grants every scope on default", () => {
    const { limiter } = setup({});
    const r = acquire(limiter);
    expect(r.ok && r.principal.grants).toEqual({
      namespaces: ["default"],
      scopes: ["query", "chat", "embeddings", "documents:read", "documents:write"],
    });
  });

  it("gives an anonymous caller every scope on default", () => {
    const limiter = new PrincipalLimiter(new MemoryLimiterStore(), fakeClock(), () => "r");
    const r = limiter.acquire({
      credential: {
        kind: "anonymous",
        id: "anon_g",
        limits: { rpm: 5, tpm: 1_000, dailyBudgetUsd: 1, monthlyBudgetUsd: 1 },
      },
      countRequest: true,
      checkBudget: false,
      need,
      lease: false,
      returns: [],
    });
    expect(r.ok && r.principal.grants).toEqual({
      namespaces: ["default"],
      scopes: ["query", "chat", "embeddings", "documents:read", "documents:write"],
    });
  });
});

describe("acquire: a tentative need", () => {
  const acquire = (limiter: PrincipalLimiter, need: Spend, tentative: boolean) =>
    limiter.acquire({
      credential: KEY,
      countRequest: true,
      checkBudget: false,
      need,
      tentative,
      lease: false,
      returns: [],
    });

  it("is held with the admission when it fits, and claimed by the asking request", () => {
    const { clock, limiter } = setup({ tpm: 1_000 });
    const r = acquire(limiter, { tokens: 300, usd: 0 }, true);
    expect(r.ok && r.grant?.held).toEqual({ tokens: 300, usd: 0 });
    expect(r.ok && r.standing.tokens.remaining).toBe(700);
    if (!r.ok || !r.grant) throw new Error("refused");
    const ticket = new LeaseHolder(clock).install(r.grant, clock(), { tokens: 300, usd: 0 });
    expect(ticket.held).toEqual({ tokens: 300, usd: 0 });
  });

  it("admits holding nothing when it does not fit, where a firm need is refused", () => {
    const { clock, limiter } = setup({ tpm: 1_000 });
    const firm = acquire(limiter, { tokens: 5_000, usd: 0 }, false);
    expect(firm.ok && firm.grant).toBeNull();
    expect(firm.ok && firm.decision.reason).toBe("request_too_large");

    const tentative = acquire(limiter, { tokens: 5_000, usd: 0 }, true);
    expect(tentative.ok && tentative.decision.allowed).toBe(true);
    expect(tentative.ok && tentative.grant?.held).toEqual({ tokens: 0, usd: 0 });
    expect(tentative.ok && tentative.standing.tokens.remaining).toBe(1_000);
    expect(tentative.ok && tentative.standing.requests.used).toBe(2);
    if (!tentative.ok || !tentative.grant) throw new Error("refused");
    // The asking request holds nothing: its own reservation, made later, decides.
    const ticket = new LeaseHolder(clock).install(tentative.grant, clock(), {
      tokens: 5_000,
      usd: 0,
    });
    expect(ticket.held).toEqual({ tokens: 0, usd: 0 });
    expect(ticket.topUp({ tokens: 1, usd: 0 })).toBe(false);
  });
});

describe("queued settlements", () => {
  it("go back with the holder's next returns, settling their reservations", () => {
    const { clock, limiter } = setup({ tpm: 1_000 });
    const reserved = limiter.reserve({ tokens: 400, usd: 0.01 });
    if (!reserved.ok) throw new Error("refused");
    const holder = new LeaseHolder(clock);
    holder.queueSettlement(reserved.id, { tokens: 100, usd: 0.002 });
    expect(holder.size).toBe(1);
    const returns = holder.takeReturns();
    expect(returns).toEqual([
      {
        spareAt: null,
        unusedAdmits: 0,
        reservationId: reserved.id,
        used: { tokens: 100, usd: 0.002 },
      },
    ]);
    expect(holder.takeReturns()).toEqual([]);
    limiter.report(returns);
    const standing = limiter.standing();
    expect(standing?.tokens.remaining).toBe(900);
    expect(standing?.daily.spentUsd).toBeCloseTo(0.002, 9);
    expect(standing?.daily.reservedUsd).toBe(0);
  });
});
