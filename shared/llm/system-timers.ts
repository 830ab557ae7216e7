// The retry loop's timers over the platform's own clock and setTimeout (Workers and Node alike).
// In a Worker, Date.now() only advances across I/O, which is all the retry loop waits on.
import type { RetryTimers } from "./retry.js";

/** Real time: `Date.now`, `setTimeout`, `Math.random`. */
export const systemTimers: RetryTimers = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
    }),
  setTimer: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
  random: () => Math.random(),
};
