// The isolate's side of a lease: what one principal's LIMITER object granted this isolate (spare
// admits, tokens, USD), spent down locally by the requests admitted under it, and handed back
// (unused admits, actual spend) once it has expired or drained and nothing admitted under it is
// still open. It can only refuse to admit locally: anything it cannot cover goes to the object.
import type { Clock } from "../ports.js";
import type { Standing } from "./decision.js";
import { LEASE_MS } from "./lease.js";
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
  /** The spare admits it was granted with, and its lifetime: what "running low" is measured by. */
  granted: number;
  ttlMs: number;
}

/**
 * A lease is running low with room for half the admits it was granted with, or a quarter of its
 * lifetime left: early enough for the next one to arrive before it runs out, for a key whose
 * isolate admits a lease's worth in a few round trips' time.
 */
const LOW_ROOM = 2;
const LOW_LIFE = 4;

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
  /** When the renewal ahead of need that is out was asked (see shouldRenew); one at a time. */
  private renewalAsked: number | null = null;
  /**
   * What the last request settled under a lease that reserved anything had held in all (its
   * claim and top-ups): what the next ones are expected to need, to judge how many requests a
   * lease can still cover and to size the renewal's pools.
   */
  expected: Spend = { tokens: 0, usd: 0 };
  /** When the last two requests that asked this isolate to admit them began (older first). */
  private recent: [number, number] = [-Infinity, -Infinity];

  constructor(private readonly clock: Clock) {}

  /**
   * Notes a counted request asking to be admitted, and says whether the key is busy here: two
   * others began within a lease's lifetime before it. Only then is a lease worth asking for.
   * A lease is handed back when it ends, a call of its own, so it saves calls only when it
   * admits two requests or more besides the one that asked for it. A slower key's request is
   * admitted alone: nothing held for it, and its settlement reported as soon as it is done
   * instead of a lease's lifetime later.
   */
  noteRequest(): boolean {
    const now = this.clock();
    const busy = now - this.recent[0] < LEASE_MS;
    this.recent = [this.recent[1], now];
    return busy;
  }

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
    const lease = this.add(grant, sentAt);
    lease.left = {
      tokens: Math.max(0, grant.held.tokens - need.tokens),
      usd: Math.max(0, grant.held.usd - need.usd),
    };
    return this.claim(lease, { tokens: 0, usd: 0 }, need);
  }

  /** Holds a grant made ahead of need (no request asked with it): all of it is spare. */
  hold(grant: LeaseGrant, sentAt: number): void {
    this.add(grant, sentAt).left = { ...grant.held };
  }

  /**
   * Whether to ask for the next lease now, ahead of need: no renewal is out, and the newest live
   * lease is a lease proper (spare admits: a key too slow for leases never renews) running low.
   * Low is a quarter of its lifetime left, or room for no more than half the admits it was
   * granted with: admits left across the live leases, and requests of the `expected` size that
   * what they hold can still cover.
   */
  shouldRenew(): boolean {
    const now = this.clock();
    // A renewal never answered (its isolate's work cut short) stops counting after a lifetime.
    if (this.renewalAsked !== null && now - this.renewalAsked < LEASE_MS) return false;
    const each = this.expected;
    let newest: Lease | null = null;
    let room = 0;
    for (const lease of this.leases) {
      if (lease.expiresAt <= now || lease.spareAt === null) continue;
      room += Math.min(
        lease.admitsLeft,
        fits(lease.left.tokens, each.tokens),
        fits(lease.left.usd, each.usd),
      );
      if (!newest || lease.expiresAt > newest.expiresAt) newest = lease;
    }
    if (!newest) return false;
    const lifeLeft = newest.expiresAt - now;
    return room * LOW_ROOM <= newest.granted || lifeLeft * LOW_LIFE <= newest.ttlMs;
  }

  /** A renewal ahead of need was asked: none other until it is answered (see shouldRenew). */
  renewalStarted(): void {
    this.renewalAsked = this.clock();
  }

  /** The renewal was answered (or failed): its grant, if any, is held. */
  renewalEnded(): void {
    this.renewalAsked = null;
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

  private add(grant: LeaseGrant, sentAt: number): Lease {
    const lease: Lease = {
      spareAt: grant.spareAt,
      admitsLeft: grant.spareAdmits,
      reservationId: grant.reservationId,
      left: { tokens: 0, usd: 0 },
      used: { tokens: 0, usd: 0 },
      open: 0,
      expiresAt: sentAt + grant.ttlMs,
      granted: grant.spareAdmits,
      ttlMs: grant.ttlMs,
    };
    this.leases.push(lease);
    return lease;
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
      settle: (used) => {
        if (settled) return;
        settled = true;
        lease.open--;
        if (held.tokens > 0 || held.usd > 0) this.expected = { ...held };
        lease.used = {
          tokens: lease.used.tokens + Math.max(0, Math.ceil(used.tokens)),
          usd: lease.used.usd + Math.max(0, used.usd),
        };
      },
    };
    return ticket;
  }
}

/** How many needs of `each` fit in `left` (any number when each needs nothing). */
function fits(left: number, each: number): number {
  return each > 0 ? Math.floor((left + 1e-12) / each) : Number.POSITIVE_INFINITY;
}

function covers(left: Spend, need: Spend): boolean {
  return left.tokens >= need.tokens && left.usd >= need.usd - 1e-12;
}
