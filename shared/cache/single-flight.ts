// Single flight: concurrent callers with the same key share one in-flight computation instead of
// each doing it. Per isolate; the entry is dropped as soon as the computation settles, so a later
// caller starts fresh (this coalesces, it does not cache).

/**
 * @example
 * const flight = new SingleFlight<Answer>();
 * const { value, leader } = await flight.run(key, () => compute());
 */
export class SingleFlight<T> {
  private readonly inflight = new Map<string, Promise<T>>();

  /**
   * Runs `fn` unless a call with `key` is already running, in which case its outcome (value or
   * rejection) is shared. `leader` is true for the caller whose `fn` ran.
   * `onStart` receives the shared promise when this caller leads (e.g. to keep it alive with
   * waitUntil after the leader's client goes away).
   */
  async run(
    key: string,
    fn: () => Promise<T>,
    onStart?: (shared: Promise<unknown>) => void,
  ): Promise<{ value: T; leader: boolean }> {
    const running = this.inflight.get(key);
    if (running) return { value: await running, leader: false };
    // fn starts in a microtask, so the entry exists before it can settle (even by throwing).
    const shared: Promise<T> = Promise.resolve()
      .then(fn)
      .finally(() => {
        if (this.inflight.get(key) === shared) this.inflight.delete(key);
      });
    this.inflight.set(key, shared);
    onStart?.(shared.catch(() => undefined));
    return { value: await shared, leader: true };
  }

  /** Keys currently being computed. */
  get size(): number {
    return this.inflight.size;
  }
}
