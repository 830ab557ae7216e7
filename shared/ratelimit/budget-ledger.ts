// USD budgets per UTC day and month, and the reservations that hold spend for requests in flight.
// Amounts are integer nano-dollars. A reservation counts against a budget from the moment it is
// made; settling swaps it for the actual spend, so concurrent requests can't all pass a nearly
// spent budget. A reservation never settled (its Worker died) is counted as spent after a TTL.
import { dayPeriod, monthPeriod, type Period } from "./budget-period.js";
import type { BudgetStanding, Decision } from "./decision.js";
import { nanoToUsd, usdToNano, type Limits } from "./limits.js";
import type { LimiterStore, PeriodRow, ReservationRow } from "./limiter-types.js";

const EXPIRED_RETENTION_MS = 24 * 3_600_000;

/** Share of a budget whose crossing is reported (an operator's early warning). */
export const NEAR_LIMIT_SHARE = 0.8;

type LedgerStore = Pick<
  LimiterStore,
  "savePeriod" | "deletePeriod" | "saveReservation" | "deleteReservation"
>;

/** The budget periods and open reservations of one principal, persisted through `store`. */
export class BudgetLedger {
  private readonly periods = new Map<string, PeriodRow>();
  private readonly reservations = new Map<string, ReservationRow>();

  constructor(
    private readonly store: LedgerStore,
    periods: PeriodRow[],
    reservations: ReservationRow[],
    private readonly reservationTtlMs: number,
  ) {
    for (const p of periods) this.periods.set(p.key, { ...p });
    for (const r of reservations) this.reservations.set(r.id, { ...r });
  }

  /**
   * The budget that refuses spending `usdNano` now, or null. With `exhaustedOnly`, only whether
   * settled spend has already reached a budget (then nothing paid fits before the reset).
   * Free requests (0 USD) always fit otherwise.
   */
  refusal(limits: Limits, usdNano: number, now: number, exhaustedOnly: boolean): Decision | null {
    const checks: Array<[Decision["reason"], string, Period, number]> = [
      ["monthly_budget", "monthly_usd", monthPeriod(now), usdToNano(limits.monthlyBudgetUsd)],
      ["daily_budget", "daily_usd", dayPeriod(now), usdToNano(limits.dailyBudgetUsd)],
    ];
    for (const [reason, policy, period, limitNano] of checks) {
      const row = this.periods.get(period.key);
      const spent = row?.spentNano ?? 0;
      const reserved = row?.reservedNano ?? 0;
      const refused = exhaustedOnly
        ? spent >= limitNano
        : usdNano > 0 && spent + reserved + usdNano > limitNano;
      if (!refused) continue;
      // Settled spend alone rules it out until the period resets; otherwise requests in flight
      // hold the rest and may hand some back within moments.
      const untilReset = exhaustedOnly || spent + usdNano > limitNano;
      return {
        allowed: false,
        reason,
        limit: limitNano,
        remaining: Math.max(0, limitNano - spent - reserved),
        resetMs: period.resetAt - now,
        retryAfterMs: untilReset ? period.resetAt - now : 1000,
        policy,
      };
    }
    return null;
  }

  /** What is left of the tighter budget now: its limit minus settled and reserved spend. */
  remainingNano(limits: Limits, now: number): number {
    let left = Infinity;
    const checks: Array<[Period, number]> = [
      [monthPeriod(now), usdToNano(limits.monthlyBudgetUsd)],
      [dayPeriod(now), usdToNano(limits.dailyBudgetUsd)],
    ];
    for (const [period, limitNano] of checks) {
      const row = this.periods.get(period.key);
      left = Math.min(left, limitNano - (row?.spentNano ?? 0) - (row?.reservedNano ?? 0));
    }
    return Math.max(0, left);
  }

  /** Opens a reservation of `tokens` and `usdNano` in the current day and month. */
  hold(id: string, tokens: number, usdNano: number, now: number): ReservationRow {
    const reservation: ReservationRow = {
      id,
      tokens,
      usdNano,
      day: dayPeriod(now).key,
      month: monthPeriod(now).key,
      createdAt: now,
      expired: false,
    };
    if (usdNano > 0) {
      for (const key of [reservation.day, reservation.month]) {
        const row = this.period(key);
        row.reservedNano += usdNano;
        this.store.savePeriod(row);
      }
    }
    this.reservations.set(id, reservation);
    this.store.saveReservation(reservation);
    return { ...reservation };
  }

  /** The open reservation with this id, if any. */
  get(id: string): ReservationRow | null {
    const r = this.reservations.get(id);
    return r ? { ...r } : null;
  }

  /**
   * Closes a reservation, charging what was actually spent to the periods it was made in.
   * Returns the budgets whose settled spend this charge carried past 80% of their limit.
   */
  close(
    id: string,
    tokens: number,
    usdNano: number,
    now: number,
    limits: Limits,
  ): Array<"day" | "month"> {
    const r = this.reservations.get(id);
    if (!r) return [];
    const crossed: Array<"day" | "month"> = [];
    const windows: Array<["day" | "month", string, number]> = [
      ["day", r.day, usdToNano(limits.dailyBudgetUsd)],
      ["month", r.month, usdToNano(limits.monthlyBudgetUsd)],
    ];
    for (const [window, key, limitNano] of windows) {
      const row = this.periods.get(key) ?? (this.isCurrent(key, now) ? this.period(key) : null);
      if (!row) continue;
      const before = row.spentNano;
      if (r.expired) row.spentNano += usdNano - r.usdNano;
      else {
        row.reservedNano = Math.max(0, row.reservedNano - r.usdNano);
        row.spentNano += usdNano;
      }
      row.tokens += tokens;
      this.store.savePeriod(row);
      const mark = limitNano * NEAR_LIMIT_SHARE;
      if (limitNano > 0 && before < mark && row.spentNano >= mark) crossed.push(window);
    }
    this.reservations.delete(id);
    this.store.deleteReservation(id);
    return crossed;
  }

  /** Counts stale reservations as spent, forgets old ones, and drops past periods. */
  sweep(now: number): void {
    for (const r of this.reservations.values()) {
      if (!r.expired && now - r.createdAt > this.reservationTtlMs) {
        r.expired = true;
        for (const key of [r.day, r.month]) {
          const row = this.periods.get(key);
          if (!row) continue;
          row.reservedNano = Math.max(0, row.reservedNano - r.usdNano);
          row.spentNano += r.usdNano;
          this.store.savePeriod(row);
        }
        this.store.saveReservation(r);
      } else if (r.expired && now - r.createdAt > EXPIRED_RETENTION_MS) {
        this.reservations.delete(r.id);
        this.store.deleteReservation(r.id);
      }
    }
    const keep = new Set([dayPeriod(now).key, monthPeriod(now).key]);
    for (const r of this.reservations.values()) {
      keep.add(r.day);
      keep.add(r.month);
    }
    for (const key of [...this.periods.keys()]) {
      if (!keep.has(key)) {
        this.periods.delete(key);
        this.store.deletePeriod(key);
      }
    }
  }

  /** A budget's standing in `period`. */
  standing(period: Period, limitUsd: number): BudgetStanding {
    const row = this.periods.get(period.key);
    const spent = row?.spentNano ?? 0;
    const reserved = row?.reservedNano ?? 0;
    return {
      period: period.key.slice(2),
      limitUsd,
      spentUsd: nanoToUsd(spent),
      reservedUsd: nanoToUsd(reserved),
      remainingUsd: nanoToUsd(Math.max(0, usdToNano(limitUsd) - spent - reserved)),
      tokens: row?.tokens ?? 0,
      resetAt: period.resetAt,
    };
  }

  private period(key: string): PeriodRow {
    let row = this.periods.get(key);
    if (!row) {
      row = { key, spentNano: 0, reservedNano: 0, tokens: 0 };
      this.periods.set(key, row);
    }
    return row;
  }

  private isCurrent(key: string, now: number): boolean {
    return key === dayPeriod(now).key || key === monthPeriod(now).key;
  }
}
