// A clock tests move by hand.

/** A clock starting at `start` (epoch ms) that only moves when told to. */
export function fakeClock(start = Date.UTC(2026, 10, 28, 12, 0, 0)) {
  let now = start;
  const clock = () => now;
  return Object.assign(clock, {
    advance(ms: number): number {
      now += ms;
      return now;
    },
    set(ms: number): void {
      now = ms;
    },
  });
}
