// Budget periods: the UTC day and the UTC month a moment falls in, with the instant each resets.
// Keys are stable strings so a period's spend row can be found again after a restart.

/** A budget period: its storage key and when the next one starts (epoch ms). */
export interface Period {
  key: string;
  resetAt: number;
}

/** The UTC day of `now`, e.g. `{ key: "d:2026-11-28", resetAt: <2026-11-29T00:00Z> }`. */
export function dayPeriod(now: number): Period {
  const d = new Date(now);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return { key: `d:${new Date(start).toISOString().slice(0, 10)}`, resetAt: start + 86_400_000 };
}

/** The UTC month of `now`, e.g. `{ key: "m:2026-11", resetAt: <2026-12-01T00:00Z> }`. */
export function monthPeriod(now: number): Period {
  const d = new Date(now);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  return {
    key: `m:${new Date(start).toISOString().slice(0, 7)}`,
    resetAt: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
  };
}
