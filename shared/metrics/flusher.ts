// The isolate's metrics batch and its flush schedule. Requests add to one batch per isolate; the
// first request after a flush schedules the next one FLUSH_INTERVAL_MS later in waitUntil, so a
// flush never delays a response and an isolate that dies loses at most that interval's batch.
// The request log's records ride in the same batch, so they cost no round trip of their own.
import type { Background } from "../ports.js";
import { MetricsBatch, type MetricEntry } from "./batch.js";
import type { Metrics } from "./metrics.js";
import { MAX_PENDING_RECORDS, type RequestRecord } from "./request-log.js";

/** Where a flushed batch goes (the METRICS Durable Object in production): the series, and the
 * request records gathered since the last flush. */
export type MetricsSink = (entries: MetricEntry[], requests: RequestRecord[]) => Promise<void>;

export interface FlusherOptions {
  /** How long increments wait for company before they are sent. */
  intervalMs: number;
  /** A batch with this many series is sent at once instead of waiting for the interval. */
  maxSeries: number;
  /** Resolves after `ms` (setTimeout in production, a fake in tests). */
  sleep: (ms: number) => Promise<void>;
  /** Called when a flush fails; the batch is dropped (counters never double-count). */
  onError: (err: unknown, entries: number) => void;
}

export interface MetricsFlusher {
  /** The isolate-wide batch that request code writes to. */
  readonly metrics: Metrics;
  /** Adds a finished request's record to the batch (the oldest go when too many wait). */
  record(request: RequestRecord): void;
  /** Series waiting to be sent. */
  readonly pending: number;
  /** After a response: makes sure a flush is scheduled (in `bg.waitUntil`) for what is pending,
   * `intervalMs` from now (default: the option). */
  schedule(bg: Background, sink: MetricsSink, intervalMs?: number): void;
  /** Sends what is pending now and waits for sends under way (used before reading the aggregate,
   * so the reader sees every increment this isolate recorded). */
  flushNow(sink: MetricsSink): Promise<void>;
}

/** Default schedule: at most one flush per second per isolate, sooner past 500 series. */
export const FLUSH_INTERVAL_MS = 1000;
export const FLUSH_MAX_SERIES = 500;

/** Creates the per-isolate batch and its flush schedule. */
export function createMetricsFlusher(options: FlusherOptions): MetricsFlusher {
  const batch = new MetricsBatch();
  let records: RequestRecord[] = [];
  let timerArmed = false;
  const inFlight = new Set<Promise<void>>();

  const send = async (sink: MetricsSink): Promise<void> => {
    const entries = batch.drain();
    const requests = records;
    records = [];
    if (entries.length === 0 && requests.length === 0) return;
    const sending = sink(entries, requests).catch((err: unknown) =>
      options.onError(err, entries.length),
    );
    inFlight.add(sending);
    try {
      await sending;
    } finally {
      inFlight.delete(sending);
    }
  };

  // A reader's flush also waits for sends already under way, so what it reads afterwards
  // includes every increment this isolate recorded before the read.
  const flushNow = async (sink: MetricsSink): Promise<void> => {
    await Promise.all([send(sink), ...inFlight]);
  };

  return {
    metrics: batch,
    record(request) {
      records.push(request);
      if (records.length > MAX_PENDING_RECORDS)
        records.splice(0, records.length - MAX_PENDING_RECORDS);
    },
    get pending() {
      return batch.size;
    },
    schedule(bg, sink, intervalMs = options.intervalMs) {
      if (batch.size === 0 && records.length === 0) return;
      if (batch.size >= options.maxSeries) {
        bg.waitUntil(send(sink));
        return;
      }
      if (timerArmed) return; // the armed flush will carry these increments too
      timerArmed = true;
      const armed = async (): Promise<void> => {
        try {
          await options.sleep(intervalMs);
        } finally {
          timerArmed = false;
        }
        await send(sink);
      };
      bg.waitUntil(armed());
    },
    flushNow,
  };
}
