// Ports: the only ways shared/ touches the outside world. workers/ adapts Cloudflare's
// KV, Cache API, Durable Object storage and ExecutionContext to these; tests use in-memory fakes.

/** Schedules work that must finish after the response is sent (Workers' `ctx.waitUntil`). */
export interface Background {
  waitUntil(promise: Promise<unknown>): void;
}

/** Milliseconds since the epoch; injected so tests can drive time. */
export type Clock = () => number;

/** The WHATWG fetch signature, injected so tests and the mock upstream can stand in. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A byte-valued key/value store (KV, Cache API, memory). Values are binary so vectors stay compact. */
export interface BlobStore {
  get(key: string): Promise<ArrayBuffer | null>;
  put(key: string, value: ArrayBuffer, options?: { ttlSeconds?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

/** A logger that writes one structured record per call. */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}
