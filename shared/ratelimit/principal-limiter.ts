// One principal's limits as a state machine over a synchronous store: authentication status,
// the request log, the token bucket and the budget ledger. Every operation is one synchronous
// read-compute-write, so a single-threaded owner (the LIMITER Durable Object) makes each decision
// atomic; a refused operation changes nothing.
import { BudgetLedger } from "./budget-ledger.js";
import { dayPeriod, monthPeriod } from "./budget-period.js";
import type { Decision, Standing } from "./decision.js";
import { usdToNano, type Limits } from "./limits.js";
import type {
  AdmitInput,
  AdmitResult,
  Credential,
  LimiterStore,
  PrincipalRecord,
  ReserveInput,
  ReserveResult,
  SettleInput,
  SettleResult,
} from "./limiter-types.js";
import { SlidingLog } from "./sliding-log.js";
import {
  adjustTokens,
  available,
  msUntilFull,
  refill,
  takeTokens,
  type BucketState,
} from "./token-bucket.js";
import type { Clock } from "../ports.js";
import { grantsOf } from "../tenancy/grants.js";

const WINDOW_MS = 60_000;
const DEFAULT_RESERVATION_TTL_MS = 10 * 60_000;

/**
 * The limiter of one principal.
 *
 * @example
 * const limiter = new PrincipalLimiter(store, Date.now, () => crypto.randomUUID());
 * const admitted = limiter.admit({ credential, countRequest: true, checkBudget: false });
 */
export class PrincipalLimiter {
  private principal: PrincipalRecord | null;
  private readonly log: SlidingLog;
  private bucket: BucketState | null;
  private readonly ledger: BudgetLedger;

  constructor(
    private readonly store: LimiterStore,
    private readonly clock: Clock,
    private readonly newId: () => string,
    options: { reservationTtlMs?: number } = {},
  ) {
    const state = store.load();
    this.principal = state.principal;
    this.log = new SlidingLog(WINDOW_MS, state.log);
    this.bucket = state.bucket;
    this.ledger = new BudgetLedger(
      store,
      state.periods,
      state.reservations,
      options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS,
    );
  }

  /** The principal's record, or null before the first admit or registration. */
  record(): PrincipalRecord | null {
    return this.principal ? copyRecord(this.principal) : null;
  }

  /** Stores a new key principal; false (and nothing changes) if this limiter already has one. */
  register(record: PrincipalRecord): boolean {
    if (this.principal) return false;
    this.principal = copyRecord(record);
    this.store.savePrincipal(this.principal);
    return true;
  }

  /** Revokes the key: from now on every admit is refused. Idempotent; null if no such key. */
  revoke(): PrincipalRecord | null {
    const p = this.principal;
    if (!p || p.kind !== "key") return null;
    if (p.status !== "revoked") {
      this.principal = { ...p, status: "revoked", revokedAt: this.clock() };
      this.store.savePrincipal(this.principal);
    }
    return this.record();
  }

  /** Authenticates, then (optionally) checks that budgets remain and counts the request. */
  admit(input: AdmitInput): AdmitResult {
    const auth = this.authenticate(input.credential);
    if (!auth.ok) return auth;
    const { limits } = auth.record;
    const now = this.clock();
    this.housekeeping(now);

    const budget = input.checkBudget ? this.ledger.refusal(limits, 0, now, true) : null;
    if (budget) return this.admitted(auth.record, budget, now, null);
    if (!input.countRequest) {
      return this.admitted(auth.record, this.requestDecision(limits, now), now, null);
    }
    const check = this.log.check(now, limits.rpm);
    if (!check.allowed) {
      const decision: Decision = {
        allowed: false,
        reason: "requests",
        limit: limits.rpm,
        remaining: 0,
        resetMs: check.resetMs,
        retryAfterMs: check.retryAfterMs,
        policy: "rpm",
      };
      return this.admitted(auth.record, decision, now, null);
    }
    const entry = this.log.add(now);
    this.store.putLogEntry(entry);
    return this.admitted(auth.record, this.requestDecision(limits, now), now, entry.at);
  }

  /**
   * Holds `tokens` and `usd` for a request about to spend them, or refuses: then nothing changes
   * except that the request's log entry is released, so a refused request consumes nothing.
   */
  reserve(input: ReserveInput): ReserveResult {
    const { limits } = this.requirePrincipal();
    const now = this.clock();
    this.housekeeping(now);
    const tokens = Math.max(0, Math.ceil(input.tokens));
    const usdNano = Math.max(0, usdToNano(input.usd));

    let refusal = this.ledger.refusal(limits, usdNano, now, false);
    let bucket: BucketState | null = null;
    if (!refusal && tokens > 0) {
      const take = takeTokens(this.bucket, limits.tpm, tokens, now);
      if (take.allowed) bucket = take.state;
      else {
        refusal = {
          allowed: false,
          reason: take.reason === "too_large" ? "request_too_large" : "tokens",
          limit: limits.tpm,
          remaining: take.remaining,
          resetMs: take.resetMs,
          retryAfterMs: take.retryAfterMs,
          policy: "tpm",
        };
      }
    }
    if (refusal) {
      if (input.releaseRequestAt !== null) {
        const entry = this.log.release(input.releaseRequestAt);
        if (entry) this.store.putLogEntry(entry);
      }
      return { ok: false, decision: refusal, standing: this.standingAt(limits, now) };
    }
    if (bucket) {
      this.bucket = bucket;
      this.store.saveBucket(bucket);
    }
    const reservation = this.ledger.hold(this.newId(), tokens, usdNano, now);
    return { ok: true, id: reservation.id, standing: this.standingAt(limits, now) };
  }

  /**
   * Replaces a reservation with what the request actually used: unused tokens and USD come back,
   * extra usage is charged. An unknown id (already settled) changes nothing. `nearLimit` lists
   * the budgets this charge carried past 80%.
   */
  settle(input: SettleInput): SettleResult {
    const { limits } = this.requirePrincipal();
    const now = this.clock();
    const r = this.ledger.get(input.id);
    let nearLimit: SettleResult["nearLimit"] = [];
    if (r) {
      const tokens = Math.max(0, Math.ceil(input.tokens));
      if (tokens !== r.tokens) {
        this.bucket = adjustTokens(this.bucket, limits.tpm, r.tokens - tokens, now);
        this.store.saveBucket(this.bucket);
      }
      nearLimit = this.ledger.close(r.id, tokens, Math.max(0, usdToNano(input.usd)), now, limits);
    }
    this.housekeeping(now);
    return { settled: r !== null, standing: this.standingAt(limits, now), nearLimit };
  }

  /** The principal's standing now, or null when there is no principal yet. */
  standing(): Standing | null {
    if (!this.principal) return null;
    const now = this.clock();
    this.housekeeping(now);
    return this.standingAt(this.principal.limits, now);
  }

  private authenticate(
    credential: Credential,
  ): { ok: true; record: PrincipalRecord } | { ok: false; auth: "unknown" | "revoked" } {
    const p = this.principal;
    if (credential.kind === "anonymous") {
      if (p && p.kind !== "anonymous") return { ok: false, auth: "unknown" };
      if (p && sameLimits(p.limits, credential.limits)) return { ok: true, record: p };
      // First sight, or the configured anonymous limits changed: follow the configuration.
      const record: PrincipalRecord = {
        id: credential.id,
        kind: "anonymous",
        name: "anonymous",
        keyHash: null,
        status: "active",
        createdAt: p?.createdAt ?? this.clock(),
        revokedAt: null,
        limits: { ...credential.limits },
        grants: null,
      };
      this.principal = record;
      this.store.savePrincipal(record);
      return { ok: true, record };
    }
    if (!p || p.kind !== "key" || !p.keyHash || !equalHex(p.keyHash, credential.hash)) {
      return { ok: false, auth: "unknown" };
    }
    if (p.status === "revoked") return { ok: false, auth: "revoked" };
    return { ok: true, record: p };
  }

  private admitted(
    record: PrincipalRecord,
    decision: Decision,
    now: number,
    requestAt: number | null,
  ): AdmitResult {
    return {
      ok: true,
      principal: {
        id: record.id,
        kind: record.kind,
        name: record.name,
        grants: grantsOf(record.grants),
      },
      decision,
      standing: this.standingAt(record.limits, now),
      requestAt,
    };
  }

  private requestDecision(limits: Limits, now: number): Decision {
    return {
      allowed: true,
      reason: null,
      limit: limits.rpm,
      remaining: Math.max(0, limits.rpm - this.log.used(now)),
      resetMs: this.log.resetMs(now),
      retryAfterMs: 0,
      policy: "rpm",
    };
  }

  private standingAt(limits: Limits, now: number): Standing {
    const used = this.log.used(now);
    const bucket = refill(this.bucket, limits.tpm, now);
    return {
      requests: {
        limit: limits.rpm,
        windowSeconds: WINDOW_MS / 1000,
        used,
        remaining: Math.max(0, limits.rpm - used),
        resetMs: this.log.resetMs(now),
      },
      tokens: {
        limit: limits.tpm,
        windowSeconds: WINDOW_MS / 1000,
        remaining: available(bucket),
        resetMs: msUntilFull(bucket, limits.tpm),
      },
      daily: this.ledger.standing(dayPeriod(now), limits.dailyBudgetUsd),
      monthly: this.ledger.standing(monthPeriod(now), limits.monthlyBudgetUsd),
    };
  }

  /** Drops requests that left the window and sweeps the ledger. */
  private housekeeping(now: number): void {
    if (this.log.expire(now) > 0) this.store.deleteLogThrough(now - WINDOW_MS);
    this.ledger.sweep(now);
  }

  private requirePrincipal(): PrincipalRecord {
    if (!this.principal) throw new Error("limiter has no principal: admit or register first");
    return this.principal;
  }
}

function sameLimits(a: Limits, b: Limits): boolean {
  return (
    a.rpm === b.rpm &&
    a.tpm === b.tpm &&
    a.dailyBudgetUsd === b.dailyBudgetUsd &&
    a.monthlyBudgetUsd === b.monthlyBudgetUsd
  );
}

/** Compares two hex digests without an early exit. */
function equalHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function copyRecord(r: PrincipalRecord): PrincipalRecord {
  const grants = r.grants
    ? { namespaces: [...r.grants.namespaces], scopes: [...r.grants.scopes] }
    : null;
  return { ...r, limits: { ...r.limits }, grants };
}
