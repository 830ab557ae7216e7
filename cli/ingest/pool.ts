// A bounded set of tasks in flight: `submit` waits for a free slot, so a producer that submits in
// a loop never runs ahead of the uploads by more than `limit` requests.

export interface Pool {
  /** Starts `task` once fewer than `limit` tasks run; resolves when it has started. */
  submit(task: () => Promise<void>): Promise<void>;
  /** Resolves when every submitted task has settled; rejects with the first task's bug. */
  drain(): Promise<void>;
}

/** A pool running at most `limit` tasks at once. Tasks report expected failures themselves; a
 * task that throws is a bug, surfaced by the next `submit` or by `drain`. */
export function createPool(limit: number): Pool {
  const running = new Set<Promise<void>>();
  let bug: { error: unknown } | null = null;
  const check = (): void => {
    if (bug) throw bug.error;
  };
  return {
    async submit(task) {
      while (running.size >= limit) await Promise.race(running);
      check();
      const p: Promise<void> = task()
        .catch((error: unknown) => {
          bug ??= { error };
        })
        .finally(() => running.delete(p));
      running.add(p);
    },
    async drain() {
      while (running.size > 0) await Promise.race(running);
      check();
    },
  };
}
