// A small closed-loop HTTP load generator: `concurrency` workers each send requests back to back
// until `total` have completed. Bounded in count, loopback only.

export interface LoadResult {
  latencies: number[];
  statuses: Record<number, number>;
  errors: number;
  elapsedMs: number;
  requestsPerSecond: number;
}

/** Sends `total` requests built by `make(i)` with at most `concurrency` in flight. */
export async function runLoad(
  make: (i: number) => { url: string; init?: RequestInit },
  options: { total: number; concurrency: number },
): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < options.total) {
      const i = next++;
      const { url, init } = make(i);
      const t0 = performance.now();
      try {
        const res = await fetch(url, init);
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status >= 500) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  const elapsedMs = performance.now() - started;
  return {
    latencies,
    statuses,
    errors,
    elapsedMs,
    requestsPerSecond: (options.total / elapsedMs) * 1000,
  };
}

/** A JSON POST request init. */
export function postJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}
