// Query latency of a sharded namespace's dense search at 100k synthetic 1536-dim chunks, 1 and 4
// shards: each shard in its own thread (as each is its own Durable Object), every query sent to
// all of them at once, their candidates merged as searchNamespace merges them. In-process: no
// network, no Durable Object call, no SQLite re-rank read, and no six-connection limit (which
// `wrangler dev` does not enforce either), so these are the compute floor of a fan-out, not
// production latency.
import { cpus } from "node:os";
import { Worker } from "node:worker_threads";
import { mergeDense, type ShardHit } from "../shared/search/merge-shards.js";
import { clusteredSource, DEFAULT_SPEC } from "./lib/clustered-vectors.js";
import { ms, printTable, summarize } from "./lib/stats.js";

const COUNT = 100_000;
const QUERIES = 100;
const WARMUP = 5;
/** Dense candidates each shard returns for a query of k = 10: max(50, 5k), as the INDEX object. */
const CANDIDATES = 50;

/** A worker's bootstrap: tsx's loader in the thread, then the TypeScript entry. */
const TS_WORKER = `
const { workerData } = require("node:worker_threads");
import("tsx/esm/api").then(({ register }) => { register(); return import(workerData.entry); });
`;

interface Answer {
  hits: ShardHit[];
  ms: number;
}

/** Prints query p50/p95 over 1 and 4 shards at 100k chunks. */
export async function runShardFanoutBench(): Promise<void> {
  const dims = DEFAULT_SPEC.dims;
  const next = clusteredSource(DEFAULT_SPEC);
  const shared = new SharedArrayBuffer(COUNT * dims * 4);
  const data = new Float32Array(shared);
  for (let i = 0; i < COUNT; i++) next(data.subarray(i * dims, (i + 1) * dims));
  const queries = Array.from({ length: QUERIES + WARMUP }, () => {
    const q = new Float32Array(dims);
    next(q);
    return q;
  });
  const center = new Float32Array(dims);
  for (let i = 0; i < 1000; i++) {
    for (let d = 0; d < dims; d++) center[d] = (center[d] ?? 0) + (data[i * dims + d] ?? 0) / 1000;
  }
  const rows: Array<Array<string | number>> = [];
  for (const shards of [1, 4]) {
    const workers = Array.from(
      { length: shards },
      (_, shard) =>
        new Worker(TS_WORKER, {
          eval: true,
          workerData: {
            entry: new URL("./shard-fanout-worker.ts", import.meta.url).href,
            setup: {
              data: shared,
              count: COUNT,
              dims,
              shard,
              shards,
              center,
              candidates: CANDIDATES,
            },
          },
        }),
    );
    const sizes = await Promise.all(workers.map((w) => once<{ size: number }>(w)));
    const totals: number[] = [];
    const slowest: number[] = [];
    for (const [i, q] of queries.entries()) {
      const t0 = performance.now();
      const answers = await Promise.all(
        workers.map((w) => {
          const answer = once<Answer>(w);
          w.postMessage(q);
          return answer;
        }),
      );
      mergeDense(
        answers.map((a) => a.hits),
        CANDIDATES,
      );
      if (i < WARMUP) continue;
      totals.push(performance.now() - t0);
      slowest.push(Math.max(...answers.map((a) => a.ms)));
    }
    // The same queries with the shards asked one after another: no shard shares a core with
    // another, so the slowest one's time plus the merge is the fan-out's floor given a core each.
    const floor: number[] = [];
    for (const [i, q] of queries.entries()) {
      const answers: Answer[] = [];
      for (const w of workers) {
        const answer = once<Answer>(w);
        w.postMessage(q);
        answers.push(await answer);
      }
      const m0 = performance.now();
      mergeDense(
        answers.map((a) => a.hits),
        CANDIDATES,
      );
      if (i >= WARMUP) floor.push(Math.max(...answers.map((a) => a.ms)) + performance.now() - m0);
    }
    await Promise.all(workers.map((w) => w.terminate()));
    const t = summarize(totals);
    const s = summarize(slowest);
    const f = summarize(floor);
    rows.push([
      shards,
      sizes.map((x) => x.size).join(" / "),
      ms(t.p50),
      ms(t.p95),
      ms(s.p50),
      ms(s.p95),
      ms(f.p50),
      ms(f.p95),
    ]);
  }
  printTable(
    `Dense query over ${COUNT.toLocaleString("en")} chunks (${dims} dims) by shard count, ${QUERIES} queries: every shard in its own thread, asked at once, candidates merged; then asked one after another, where the slowest shard plus the merge is the floor of a fan-out with a core per shard, as Durable Objects have (this machine: ${cpus().length} CPUs, shared, so "at once" over more shards than cores contends). In-process compute only: wrangler dev cannot show the network cost of a fan-out (one Durable Object round trip per shard, run in parallel) nor the six-connection limit, which it does not enforce.`,
    [
      "shards",
      "chunks per shard",
      "at once: query p50",
      "query p95",
      "slowest shard p50",
      "slowest shard p95",
      "one by one: floor p50",
      "floor p95",
    ],
    rows,
  );
}

function once<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (value: T) => {
      worker.off("error", onError);
      resolve(value);
    };
    const onError = (err: Error) => {
      worker.off("message", onMessage);
      reject(err);
    };
    worker.once("message", onMessage);
    worker.once("error", onError);
  });
}
