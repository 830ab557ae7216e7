// Requests per window as an exact sliding log: every admitted request is remembered with its
// timestamp until it leaves the window, so the count over any window-long span never exceeds the
// limit (no fixed-window double burst, no weighted-estimate over-admission). Requests admitted in
// the same millisecond share one entry, so the log holds at most `limit` entries.

/** Admitted requests at one instant. */
export interface LogEntry {
  at: number;
  count: number;
}

/** The outcome of checking one more request against the log. */
export interface WindowCheck {
  allowed: boolean;
  limit: number;
  /** Requests counted in the window now (before this one). */
  used: number;
  /** Requests still admissible now (after this one when allowed). */
  remaining: number;
  /** Milliseconds until the oldest counted request leaves the window (0 when empty). */
  resetMs: number;
  /** When refused: milliseconds until one more request would be admitted; else 0. */
  retryAfterMs: number;
}

/**
 * An in-memory sliding log. The caller persists what changes (see `add`, `release`, `expire`).
 *
 * @example
 * const log = new SlidingLog(60_000);
 * const check = log.check(now, 50);
 * if (check.allowed) log.add(now);
 */
export class SlidingLog {
  private entries: LogEntry[];
  private head = 0;
  private total = 0;

  constructor(
    readonly windowMs: number,
    entries: Iterable<LogEntry> = [],
  ) {
    this.entries = [...entries].filter((e) => e.count > 0).sort((a, b) => a.at - b.at);
    for (const e of this.entries) this.total += e.count;
  }

  /**
   * Drops entries that have left the window at `now` (an entry at `at` counts while
   * `now - at < windowMs`): every entry at or before `now - windowMs`. Returns how many went.
   */
  expire(now: number): number {
    const cutoff = now - this.windowMs;
    const before = this.head;
    while (this.head < this.entries.length) {
      const first = this.entries[this.head];
      if (!first || first.at > cutoff) break;
      this.total -= first.count;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      return this.compact(before);
    }
    return this.head - before;
  }

  /** Requests counted in the window at `now`. */
  used(now: number): number {
    this.expire(now);
    return this.total;
  }

  /** Whether one more request fits under `limit` at `now`. Changes nothing but expiry. */
  check(now: number, limit: number): WindowCheck {
    const used = this.used(now);
    const resetMs = this.resetMs(now);
    if (used < limit) {
      return { allowed: true, limit, used, remaining: limit - used - 1, resetMs, retryAfterMs: 0 };
    }
    return {
      allowed: false,
      limit,
      used,
      remaining: 0,
      resetMs,
      retryAfterMs: this.timeUntilFree(now, used - limit + 1),
    };
  }

  /**
   * Records `count` requests at `now` and returns the entry as it now stands. A clock that
   * stepped back records at the newest instant instead: held longer, never admitted early.
   */
  add(now: number, count = 1): LogEntry {
    const last =
      this.entries.length > this.head ? this.entries[this.entries.length - 1] : undefined;
    this.total += count;
    if (last && last.at >= now) {
      last.count += count;
      return { ...last };
    }
    const entry = { at: now, count };
    this.entries.push(entry);
    return { ...entry };
  }

  /**
   * Takes back `count` requests recorded at `at` (a request refused later must not use up the
   * window). Returns the entry as it now stands (count 0 when gone), or null if none was there.
   */
  release(at: number, count = 1): LogEntry | null {
    for (let i = this.entries.length - 1; i >= this.head; i--) {
      const e = this.entries[i];
      if (!e || e.at < at) break;
      if (e.at !== at) continue;
      const taken = Math.min(count, e.count);
      e.count -= taken;
      this.total -= taken;
      const result = { ...e };
      if (e.count === 0) this.entries.splice(i, 1);
      return result;
    }
    return null;
  }

  /** Milliseconds until the oldest counted request leaves the window at `now` (0 when empty). */
  resetMs(now: number): number {
    this.expire(now);
    const first = this.entries[this.head];
    return first ? first.at + this.windowMs - now : 0;
  }

  /** The live entries, oldest first (a copy). */
  snapshot(): LogEntry[] {
    return this.entries.slice(this.head).map((e) => ({ ...e }));
  }

  /** Milliseconds until `needed` of the oldest requests have left the window. */
  private timeUntilFree(now: number, needed: number): number {
    let freed = 0;
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (!e) break;
      freed += e.count;
      if (freed >= needed) return Math.max(1, e.at + this.windowMs - now);
    }
    // More needed than recorded (the limit was lowered to 0): never, so report a full window.
    return this.windowMs;
  }

  private compact(before: number): number {
    const dropped = this.head - before;
    this.entries = this.entries.slice(this.head);
    this.head = 0;
    return dropped;
  }
}
