// The isolate's side of a lease: what one principal's LIMITER object granted this isolate (spare
// admits, tokens, USD), spent down locally by the requests admitted under it, and handed back
// (unused admits, actual spend) once it has expired or drained and nothing admitted under it is
// still open. It can only refuse to admit locally: anything it cannot cover goes to the object.
import type { Clock } from "../ports.js";
import type { Standing } from "./decision.js";
import type { LeaseGrant, LeaseReturn, Spend } from "./limiter-types.js";

/** One grant as this isolate holds it. */
interface Lease {
  spareAt: number | null;
  admitsLeft: number;
  reservationId: string | null;
  /** What is still free for requests to take locally. */
  left: Spend;
  /** What requests under it actually used (settled). */
  used: Spend;
  /** Requests admitted under it and not yet settled. */
  open: number;
  expiresAt: number;
}

/** One request's claim on a lease: what it holds, settled once. */
export interface LeaseTicket {
  readonly held: Spend;
  /** Takes `more` from the same lease when it has it left; false otherwise. */
  topUp(more: Spend): boolean;
  /** Records what the request actually used (later calls are no-ops). */
  settle(used: Spend): void;
}

/**
 * @example
 * const holder = new LeaseHolder(Date.now);
 * const local = holder.take({ tokens: 900, usd: 0.001 });   // null: ask the object
 * const ticket = holder.install(grant, sentAt, need);        // the asking request's claim
 * ticket.settle(actual);
 * const returns = holder.takeReturns();                      // report with the next call
 */
export class LeaseHolder {
  private leases: Lease[] = [];
  /** Settlements of reservations made outside a lease, waiting to go with the next report. */
  private queued: LeaseReturn[] = [];
  /** The standing the object last reported: what locally admitted requests answer with. */
  standing: Standing | null = null;

  constructor(private readonly clock: Clock) {}

  /** Admits one counted request needing `need` from a live lease, or null (ask the object). */
  take(need: Spend): LeaseTicket | null {
    const now = this.clock();
    for (const lease of this.leases) {
      if (lease.expiresAt <= now || lease.admitsLeft < 1 || !covers(lease.left, need)) continue;
      lease.admitsLeft--;
      return this.claim(lease, need);
    }
    return null;
  }

  /**
   * Holds a grant the object just made; the asking request's claim is its `need`, or nothing when
   * the grant does not hold it (a tentative need that did not fit). The lease expires
   * `grant.ttlMs` after `sentAt` (when the call left: never later than the object's).
   */
  install(grant: LeaseGrant, sentAt: number, asked: Spend): LeaseTicket {
    const need = covers(grant.held, asked) ? asked : { tokens: 0, usd: 0 };
    const lease: Lease = {
      spareAt: grant.spareAt,
      admitsLeft: grant.spareAdmits,
      reservationId: grant.reservationId,
      left: { tokens: 0, usd: 0 },
      used: { tokens: 0, usd: 0 },
      open: 0,
      expiresAt: sentAt + grant.ttlMs,
    };
    lease.left = {
      tokens: Math.max(0, grant.held.tokens - need.tokens),
      usd: Math.max(0, grant.held.usd - need.usd),
    };
    this.leases.push(lease);
    return this.claim(lease, { tokens: 0, usd: 0 }, need);
  }

  /** Whether a lease could still admit locally (its expiry will hand it back). */
  hasLive(): boolean {
    const now = this.clock();
    return this.leases.some((l) => l.expiresAt > now && l.admitsLeft > 0);
  }

  /**
   * Queues the settlement of a reservation the object made outside any lease (`used` replaces
   * what it held), to be reported with this holder's next returns instead of a call of its own.
   */
  queueSettlement(reservationId: string, used: Spend): void {
    this.queued.push({ spareAt: null, unusedAdmits: 0, reservationId, used: { ...used } });
  }

  /**
   * Removes and returns the queued settlements and the leases that are done: expired or drained,
   * with nothing open. With `all`, every lease with nothing open ends now (a reader wants the
   * settled truth).
   */
  takeReturns(all = false): LeaseReturn[] {
    const now = this.clock();
    const done: LeaseReturn[] = this.queued;
    this.queued = [];
    this.leases = this.leases.filter((l) => {
      const finished = l.open === 0 && (all || l.expiresAt <= now || l.admitsLeft === 0);
      if (!finished) return true;
      const unused = l.spareAt === null ? 0 : l.admitsLeft;
      const spent = l.used.tokens > 0 || l.used.usd > 0;
      // Nothing held, nothing spent, nothing to give back: the object needs no word of it.
      if (unused === 0 && l.reservationId === null && !spent) return false;
      done.push({
        spareAt: l.spareAt,
        unusedAdmits: unused,
        reservationId: l.reservationId,
        used: { ...l.used },
      });
      return false;
    });
    return done;
  }

  /** Leases held and settlements queued (a bounded registry evicts holders with none). */
  get size(): number {
    return this.leases.length + this.queued.length;
  }

  private claim(lease: Lease, need: Spend, alreadyHeld: Spend = { tokens: 0, usd: 0 }) {
    lease.left = { tokens: lease.left.tokens - need.tokens, usd: lease.left.usd - need.usd };
    lease.open++;
    const held = { tokens: alreadyHeld.tokens + need.tokens, usd: alreadyHeld.usd + need.usd };
    let settled = false;
    const ticket: LeaseTicket = {
      held,
      topUp(more) {
        if (settled || !covers(lease.left, more)) return false;
        lease.left = { tokens: lease.left.tokens - more.tokens, usd: lease.left.usd - more.usd };
        held.tokens += more.tokens;
        held.usd += more.usd;
        return true;
      },
      settle(used) {
        if (settled) return;
        settled = true;
        lease.open--;
        lease.used = {
          tokens: lease.used.tokens + Math.max(0, Math.ceil(used.tokens)),
          usd: lease.used.usd + Math.max(0, used.usd),
        };
      },
    };
    return ticket;
  }
}

function covers(left: Spend, need: Spend): boolean {
  return left.tokens >= need.tokens && left.usd >= need.usd - 1e-12;
}
