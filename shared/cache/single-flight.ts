// Single flight: concurrent callers with the same key share one in-flight computation instead of
// each doing it. Per isolate; the entry is dropped as soon as the computation settles, so a later
// caller starts fresh (this coalesces, it does not cache). A computation that costs money is
// funded by its leader before it starts; when the leader cannot pay, the lead passes to the next
// caller waiting, which funds it on its own account: no caller ever receives another's refusal.

/** What a waiter learns from the entry it waited on. */
type Settled<T> = { funded: true; value: T } | { funded: false };

/**
 * @example
 * const flight = new SingleFlight<Answer>();
 * const { value, leader } = await flight.run(key, () => compute());
 * // A paid computation: reserve on the leader's own account first.
 * await flight.run(key, () => compute(), keepAlive, () => account.raise(estimate));
 */
export class SingleFlight<T> {
  private readonly inflight = new Map<string, Promise<Settled<T>>>();

  /**
   * Runs `fn` unless a call with `key` is already running, in which case its outcome (value or
   * rejection) is shared. `leader` is true for the caller whose `fn` ran.
   * `fund`, when given, runs first for the caller that would lead (its reservation): if it
   * throws, that caller gets its own error and the callers waiting on it try to lead in turn.
   * `onStart` receives the shared computation when this caller leads (e.g. to keep it alive with
   * waitUntil after the leader's client goes away).
   */
  async run(
    key: string,
    fn: () => Promise<T>,
    onStart?: (shared: Promise<unknown>) => void,
    fund?: () => Promise<void>,
  ): Promise<{ value: T; leader: boolean }> {
    for (;;) {
      const running = this.inflight.get(key);
      if (running) {
        const settled = await running;
        if (settled.funded) return { value: settled.value, leader: false };
        // Its leader could not pay: the next caller (perhaps this one) leads.
        continue;
      }
      return this.lead(key, fn, onStart, fund);
    }
  }

  private async lead(
    key: string,
    fn: () => Promise<T>,
    onStart?: (shared: Promise<unknown>) => void,
    fund?: () => Promise<void>,
  ): Promise<{ value: T; leader: boolean }> {
    let refusal: { error: unknown } | null = null;
    // The entry exists before anything is awaited, so callers arriving meanwhile wait on it.
    const shared: Promise<Settled<T>> = Promise.resolve()
      .then(async (): Promise<Settled<T>> => {
        if (fund) {
          try {
            await fund();
          } catch (error) {
            refusal = { error };
            return { funded: false };
          }
        }
        return { funded: true, value: await fn() };
      })
      .finally(() => {
        if (this.inflight.get(key) === shared) this.inflight.delete(key);
      });
    this.inflight.set(key, shared);
    onStart?.(shared.then((s) => (s.funded ? s.value : undefined)).catch(() => undefined));
    const settled = await shared;
    if (settled.funded) return { value: settled.value, leader: true };
    // This caller's own refusal, from its own account; the waiters lead in turn.
    throw (refusal as { error: unknown } | null)?.error;
  }

  /** Keys currently being computed. */
  get size(): number {
    return this.inflight.size;
  }
}
