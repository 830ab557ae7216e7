// A fake clock for the retry loop and the stream relay: time moves only when a test (or a sleep)
// advances it, so backoff waits and timeouts are checked exactly, with no real waiting.
import type { RetryTimers } from "../../shared/llm/retry.js";

interface Timer {
  at: number;
  fn: () => void;
  cancelled: boolean;
}

export class FakeTimers implements RetryTimers {
  time: number;
  /** Every sleep asked for, in order. */
  readonly sleeps: number[] = [];
  /** Every timer set, in ms, in order. */
  readonly timerDelays: number[] = [];
  private timers: Timer[] = [];
  private readonly rand: () => number;

  /** `random` defaults to a constant 0.5 so backoffs are exactly half their ceiling. */
  constructor(opts: { start?: number; random?: () => number } = {}) {
    this.time = opts.start ?? 1_000_000;
    this.rand = opts.random ?? (() => 0.5);
  }

  now = (): number => this.time;

  random = (): number => this.rand();

  /** Sleeping advances the clock at once (firing timers due meanwhile). */
  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.advance(ms);
  };

  setTimer = (ms: number, fn: () => void): (() => void) => {
    this.timerDelays.push(ms);
    const timer: Timer = { at: this.time + ms, fn, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  };

  /** Moves time forward and fires, in order, every live timer now due. */
  advance(ms: number): void {
    this.time += ms;
    const due = this.timers
      .filter((t) => !t.cancelled && t.at <= this.time)
      .sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((t) => !due.includes(t) && !t.cancelled);
    for (const t of due) t.fn();
  }

  /** Timers set and neither fired nor cancelled. */
  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}

export { seeded } from "../support/seeded-random.js";
