// Retries for the CLI's requests: full-jitter exponential backoff, and the server's Retry-After
// honoured (never retried earlier than asked). One owner: the client wraps each request in this.

/** One try's outcome: a value, or a failure saying whether trying again can help. */
export type Attempted<T> =
  | { ok: true; value: T }
  | { ok: false; retryable: boolean; message: string; status?: number; retryAfterMs?: number };

export interface RetryOptions {
  /** Retries after the first try. */
  retries: number;
  baseMs: number;
  maxMs: number;
  /** A Retry-After longer than this is not waited out: the failure is returned instead. */
  maxRetryAfterMs: number;
  sleep(ms: number): Promise<void>;
  random(): number;
  onRetry?(info: { attempt: number; delayMs: number; message: string }): void;
}

export const DEFAULT_RETRY = {
  retries: 5,
  baseMs: 500,
  maxMs: 20_000,
  maxRetryAfterMs: 300_000,
} as const;

/** The wait before retry number `attempt` (1-based). */
export function retryDelay(
  attempt: number,
  failure: { retryAfterMs?: number },
  options: Pick<RetryOptions, "baseMs" | "maxMs" | "random">,
): number {
  if (failure.retryAfterMs !== undefined) {
    // Honour the server's wait, plus a little jitter so parallel requests do not return together.
    return failure.retryAfterMs + Math.floor(options.random() * 250);
  }
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** (attempt - 1));
  return Math.floor(options.random() * cap);
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the retries are spent.
 *
 * @example
 * const r = await withRetry(() => send(batch), { ...DEFAULT_RETRY, sleep, random: Math.random });
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<Attempted<T>>,
  options: RetryOptions,
): Promise<Attempted<T>> {
  for (let n = 0; ; n++) {
    const result = await attempt(n);
    if (result.ok || !result.retryable || n >= options.retries) return result;
    if (result.retryAfterMs !== undefined && result.retryAfterMs > options.maxRetryAfterMs) {
      const s = Math.ceil(result.retryAfterMs / 1000);
      return {
        ...result,
        retryable: false,
        message: `${result.message} (server asked to wait ${s} s)`,
      };
    }
    const delayMs = retryDelay(n + 1, result, options);
    options.onRetry?.({ attempt: n + 1, delayMs, message: result.message });
    await options.sleep(delayMs);
  }
}
