// "Logged once": a failing cache store would otherwise log on every request. The first failure of
// each kind is logged at once; repeats within the interval are only counted, and the next log
// line carries how many were suppressed.
import type { Clock } from "../ports.js";

/**
 * @example
 * const throttle = createLogThrottle({ intervalMs: 60_000 });
 * const d = throttle("answer:kv:get"); // { log: true, suppressed: 0 } the first time
 */
export function createLogThrottle(options: { intervalMs: number; clock?: Clock }) {
  const clock = options.clock ?? (() => Date.now());
  const state = new Map<string, { lastLogged: number; suppressed: number }>();
  return (kind: string): { log: boolean; suppressed: number } => {
    const now = clock();
    const entry = state.get(kind);
    if (!entry || now - entry.lastLogged >= options.intervalMs) {
      const suppressed = entry?.suppressed ?? 0;
      state.set(kind, { lastLogged: now, suppressed: 0 });
      return { log: true, suppressed };
    }
    entry.suppressed++;
    return { log: false, suppressed: entry.suppressed };
  };
}
