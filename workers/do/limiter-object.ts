// LIMITER Durable Object: one per principal (an API key's id, or an anonymous client's hashed IP).
// It is the authority on the key's status and holds the request log, token bucket and budgets in
// SQLite, what a decision changes as one row (limiter-sql-store.ts). Each RPC is one synchronous
// transaction with no await inside, so the input gate makes every decision atomic however many
// isolates call at once; a failed write reloads from storage. `acquire` is the request path's one
// call: admission, the first reservation and a lease; `renew` is a busy key's next lease, asked
// off the request path before the current one runs out.
import { DurableObject } from "cloudflare:workers";
import type {
  AcquireInput,
  AcquireResult,
  LeaseReturn,
  ReportResult,
  AdmitInput,
  AdmitResult,
  PrincipalRecord,
  RenewInput,
  ReserveInput,
  ReserveResult,
  SettleInput,
  SettleResult,
} from "../../shared/ratelimit/limiter-types.js";
import type { Standing } from "../../shared/ratelimit/decision.js";
import { PrincipalLimiter } from "../../shared/ratelimit/principal-limiter.js";
import { SqlLimiterStore } from "./limiter-sql-store.js";

export class LimiterObject extends DurableObject<Env> {
  private store!: SqlLimiterStore;
  private limiter: PrincipalLimiter;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Creates no tables: an id that never gets a principal (an unknown key) keeps no storage.
    this.limiter = this.build();
  }

  /** Creates this object's key principal; false if it already has one. */
  register(record: PrincipalRecord): boolean {
    return this.run((l) => l.register(record));
  }

  /** Revokes the key; the record as revoked, or null if this object holds no key. */
  revoke(): PrincipalRecord | null {
    return this.run((l) => l.revoke());
  }

  /** Authenticates and counts one request (see PrincipalLimiter.admit). */
  admit(input: AdmitInput): AdmitResult {
    return this.run((l) => l.admit(input));
  }

  /** Settles returned leases, then admits one request with its first reservation (and a lease). */
  acquire(input: AcquireInput): AcquireResult {
    return this.run((l) => l.acquire(input));
  }

  /** Settles returned leases, then grants a lease ahead of need, counting no request. */
  renew(input: RenewInput): AcquireResult {
    return this.run((l) => l.renew(input));
  }

  /** Settles leases an isolate is done with. */
  report(returns: LeaseReturn[]): ReportResult {
    return this.run((l) => l.report(returns));
  }

  /** Reserves tokens and USD before a model call. */
  reserve(input: ReserveInput): ReserveResult {
    return this.run((l) => l.reserve(input));
  }

  /** Settles a reservation with the actual usage. */
  settle(input: SettleInput): SettleResult {
    return this.run((l) => l.settle(input));
  }

  /** The principal's record and standing, without counting anything. */
  inspect(): { record: PrincipalRecord | null; standing: Standing | null } {
    return this.run((l) => ({ record: l.record(), standing: l.standing() }));
  }

  private build(): PrincipalLimiter {
    this.store = new SqlLimiterStore(this.ctx.storage.sql);
    return new PrincipalLimiter(
      this.store,
      () => Date.now(),
      () => crypto.randomUUID(),
    );
  }

  /** One decision in one transaction, its changed state written as one row at its end. */
  private run<T>(operation: (limiter: PrincipalLimiter) => T): T {
    try {
      return this.ctx.storage.transactionSync(() => {
        const result = operation(this.limiter);
        this.store.commit();
        return result;
      });
    } catch (err) {
      // The transaction rolled back (table creation included); rebuild the in-memory state from
      // what storage holds.
      this.limiter = this.build();
      throw err;
    }
  }
}
