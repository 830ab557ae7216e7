// Failures of the platform rather than of the request or of our code: a Durable Object that is
// overloaded, was reset, or ran out of CPU or memory, a connection to it that was lost. The runtime
// tags most of them (`overloaded`, `retryable` on the Error, docs: "Durable Objects error
// handling"); some only say so in the message. They are transient, so the caller gets a 503
// `service_unavailable` with Retry-After in the documented error shape (errors.ts renders it),
// never a 500 with a stack.

/** How long a caller should wait: an overloaded object needs longer than a dropped call. */
const OVERLOADED_RETRY_SECONDS = 5;
const RETRYABLE_RETRY_SECONDS = 1;

/** Messages of the runtime's resource and availability failures that carry no tag. */
const PLATFORM_MESSAGE =
  /Durable Object (is )?overloaded|Durable Object reset|Durable Object('s isolate)? exceeded|exceeded its (CPU|memory)|Too many requests queued|Too much data queued|Requests queued for too long|Too many requests for the same object|Network connection lost|blockConcurrencyWhile\(\) in a Durable Object waited for too long|Internal error in Durable Object/i;

/** What the runtime said about one failure, and how long the caller should wait. */
export interface PlatformFailure {
  overloaded: boolean;
  retryable: boolean;
  retryAfterSeconds: number;
  /** `name: message`, for the log (never the response). */
  message: string;
}

/**
 * The platform failure `err` is, or null when it is anything else (a client error, a bug).
 *
 * @example
 * platformFailure(Object.assign(new Error("Durable Object is overloaded."), { overloaded: true }))
 * // -> { overloaded: true, retryable: false, retryAfterSeconds: 5, message: "Error: ..." }
 */
export function platformFailure(err: unknown): PlatformFailure | null {
  if (!(err instanceof Error)) return null;
  const tags = err as Error & { overloaded?: unknown; retryable?: unknown };
  const overloaded = tags.overloaded === true;
  const retryable = tags.retryable === true;
  if (!overloaded && !retryable && !PLATFORM_MESSAGE.test(err.message)) return null;
  return {
    overloaded,
    retryable,
    retryAfterSeconds: overloaded ? OVERLOADED_RETRY_SECONDS : RETRYABLE_RETRY_SECONDS,
    message: `${err.name}: ${err.message}`,
  };
}
