import { describe, expect, it } from "vitest";
import type { MetricEntry } from "../../../shared/metrics/batch.js";
import { createMetricsFlusher } from "../../../shared/metrics/flusher.js";

/** A controllable clock for the flush timer and a waitUntil that records its promises. */
function harness(options: { maxSeries?: number } = {}) {
  const timers: Array<() => void> = [];
  const background: Array<Promise<unknown>> = [];
  const sent: MetricEntry[][] = [];
  const errors: Array<{ err: unknown; entries: number }> = [];
  let failNext = false;
  const flusher = createMetricsFlusher({
    intervalMs: 1000,
    maxSeries: options.maxSeries ?? 100,
    sleep: () => new Promise<void>((resolve) => timers.push(resolve)),
    onError: (err, entries) => errors.push({ err, entries }),
  });
  const sink = async (entries: MetricEntry[]): Promise<void> => {
    if (failNext) {
      failNext = false;
      throw new Error("METRICS object unreachable");
    }
    sent.push(entries);
  };
  const bg = { waitUntil: (p: Promise<unknown>) => background.push(p) };
  return {
    flusher,
    sink,
    bg,
    sent,
    errors,
    timers,
    background,
    failNextFlush: () => (failNext = true),
    /** Lets the armed timer fire and waits for the flush it triggers. */
    async tick(): Promise<void> {
      timers.splice(0).forEach((fire) => fire());
      await Promise.all(background.splice(0));
    },
  };
}

const value = (entries: MetricEntry[] | undefined, route: string): number | undefined =>
  entries?.find((e) => e.labels.route === route)?.value;

describe("the isolate's metrics flusher", () => {
  it("does not send during the request: the flush waits in waitUntil for the interval", () => {
    const h = harness();
    h.flusher.metrics.inc("ragway_requests_total", { route: "/a" });
    h.flusher.schedule(h.bg, h.sink);
    expect(h.background).toHaveLength(1);
    expect(h.timers).toHaveLength(1);
    expect(h.sent).toHaveLength(0);
  });

  it("sends the increments of every request within one interval in a single flush", async () => {
    const h = harness();
    for (let i = 0; i < 10; i++) {
      h.flusher.metrics.inc("ragway_requests_total", { route: "/a" });
      h.flusher.schedule(h.bg, h.sink);
    }
    expect(h.timers).toHaveLength(1); // one timer armed, not ten
    await h.tick();
    expect(h.sent).toHaveLength(1);
    expect(value(h.sent[0], "/a")).toBe(10);
    expect(h.flusher.pending).toBe(0);
  });

  it("arms a new flush for requests after the previous one left", async () => {
    const h = harness();
    h.flusher.metrics.inc("ragway_requests_total", { route: "/a" });
    h.flusher.schedule(h.bg, h.sink);
    await h.tick();
    h.flusher.metrics.inc("ragway_requests_total", { route: "/b" });
    h.flusher.schedule(h.bg, h.sink);
    await h.tick();
    expect(h.sent.map((batch) => batch.map((e) => e.labels.route))).toEqual([["/a"], ["/b"]]);
  });

  it("sends at once, without waiting, when the batch reaches maxSeries", async () => {
    const h = harness({ maxSeries: 3 });
    for (const route of ["/a", "/b", "/c"])
      h.flusher.metrics.inc("ragway_requests_total", { route });
    h.flusher.schedule(h.bg, h.sink);
    expect(h.timers).toHaveLength(0);
    await Promise.all(h.background);
    expect(h.sent[0]).toHaveLength(3);
  });

  it("drops a batch whose flush failed and reports it, and later flushes still work", async () => {
    const h = harness();
    h.flusher.metrics.inc("ragway_requests_total", { route: "/a" }, 5);
    h.flusher.schedule(h.bg, h.sink);
    h.failNextFlush();
    await h.tick();
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]?.entries).toBe(1);
    h.flusher.metrics.inc("ragway_requests_total", { route: "/a" });
    h.flusher.schedule(h.bg, h.sink);
    await h.tick();
    // At most once: the failed 5 are not resent, so nothing is ever counted twice.
    expect(value(h.sent[0], "/a")).toBe(1);
  });

  it("flushNow sends what is pending, and the armed timer then has nothing left to send", async () => {
    const h = harness();
    h.flusher.metrics.inc("ragway_requests_total", { route: "/a" }, 2);
    h.flusher.schedule(h.bg, h.sink);
    await h.flusher.flushNow(h.sink);
    expect(value(h.sent[0], "/a")).toBe(2);
    await h.tick();
    expect(h.sent).toHaveLength(1);
  });

  it("loses at most the unflushed interval when the isolate dies before its timer fires", async () => {
    const h = harness();
    h.flusher.metrics.inc("ragway_requests_total", { route: "/a" }, 7);
    h.flusher.schedule(h.bg, h.sink);
    await h.tick(); // the first interval made it out
    h.flusher.metrics.inc("ragway_requests_total", { route: "/a" }, 3);
    h.flusher.schedule(h.bg, h.sink);
    // The isolate is evicted here: the timer never fires.
    const delivered = h.sent.flat().reduce((sum, e) => sum + e.value, 0);
    expect(delivered).toBe(7);
    expect(h.flusher.pending).toBe(1);
  });

  it("waits the interval the caller asks for (METRICS_FLUSH_MS), else the default", async () => {
    const waits: number[] = [];
    const flusher = createMetricsFlusher({
      intervalMs: 1000,
      maxSeries: 100,
      sleep: async (ms) => void waits.push(ms),
      onError: () => {},
    });
    const background: Array<Promise<unknown>> = [];
    const bg = { waitUntil: (p: Promise<unknown>) => background.push(p) };
    const sink = async (): Promise<void> => {};
    flusher.metrics.inc("ragway_requests_total", { route: "/a" });
    flusher.schedule(bg, sink, 0);
    await Promise.all(background.splice(0));
    flusher.metrics.inc("ragway_requests_total", { route: "/a" });
    flusher.schedule(bg, sink);
    await Promise.all(background.splice(0));
    expect(waits).toEqual([0, 1000]);
  });

  it("does nothing when nothing was recorded", () => {
    const h = harness();
    h.flusher.schedule(h.bg, h.sink);
    expect(h.background).toHaveLength(0);
  });
});

describe("flushNow while a timed flush is still being sent", () => {
  it("waits for the send under way, so a read afterwards sees it", async () => {
    const timers: Array<() => void> = [];
    const background: Array<Promise<unknown>> = [];
    let release: () => void = () => {};
    const delivered: number[] = [];
    const flusher = createMetricsFlusher({
      intervalMs: 1000,
      maxSeries: 100,
      sleep: () => new Promise<void>((resolve) => timers.push(resolve)),
      onError: () => {},
    });
    const slowSink = async (entries: MetricEntry[]): Promise<void> => {
      await new Promise<void>((resolve) => (release = resolve));
      delivered.push(...entries.map((e) => e.value));
    };
    flusher.metrics.inc("ragway_requests_total", { route: "/a" }, 4);
    flusher.schedule({ waitUntil: (p) => background.push(p) }, slowSink);
    timers.splice(0).forEach((fire) => fire());
    await Promise.resolve(); // the timed flush drains and starts sending
    await Promise.resolve();
    let readerDone = false;
    const reader = flusher.flushNow(slowSink).then(() => (readerDone = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(readerDone).toBe(false);
    release();
    await reader;
    expect(delivered).toEqual([4]);
    await Promise.all(background);
  });
});
