// Memory-bounded dense search against today's design, in one run: resident bytes per chunk,
// search p50/p95 and recall@10 against exact float search, for clustered synthetic 1536-dim
// vectors at 10k, 50k and 100k chunks; then 100k chunks split over 1 and 4 shards. In-process:
// the float re-rank reads from memory here, from SQLite in a Durable Object (not timed here).
import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { BinaryVectorIndex } from "../shared/search/binary-vector-index.js";
import { searchDense, type LoadFloats } from "../shared/search/dense-search.js";
import { mergeDense } from "../shared/search/merge-shards.js";
import { shardOf } from "../shared/search/shard-placement.js";
import { clusteredSource, DEFAULT_SPEC } from "./lib/clustered-vectors.js";
import { ms, printTable, summarize } from "./lib/stats.js";

const DIMS = DEFAULT_SPEC.dims;
const SIZES = [10_000, 50_000, 100_000];
const QUERIES = 50;
const K = 10;
/** Today's INDEX object: the floats plus a rowid and a doc id pointer per chunk. */
const TODAY_BYTES_PER_CHUNK = DIMS * 4 + 8 + 8;
const BUDGET_BYTES = 64 * 1024 * 1024;

interface Variant {
  name: string;
  /** Largest size it runs at (the int8 scan costs as much as today's; it is for comparison). */
  upTo?: number;
  build(count: number): { bytes: number; search(q: Float32Array): number[] };
}

/** Runs the benchmark and prints its tables. */
export async function runVectorsBench(): Promise<void> {
  const max = SIZES[SIZES.length - 1] ?? 0;
  const next = clusteredSource(DEFAULT_SPEC);
  const data = new Float32Array(max * DIMS);
  for (let i = 0; i < max; i++) next(row(data, i));
  const queries = Array.from({ length: QUERIES }, () => {
    const q = new Float32Array(DIMS);
    next(q);
    return q;
  });
  const load: LoadFloats = (ids) => ids.map((id) => row(data, id));
  const center = meanOf(data, 1000);
  console.log(
    `Data: ${max} unit vectors, ${DIMS} dims, ${DEFAULT_SPEC.clusters} topics (sizes skewed) of ` +
      `${DEFAULT_SPEC.subtopics} sub-topics: v = normalize(${DEFAULT_SPEC.shared}·shared offset + ` +
      `topic centre + ${DEFAULT_SPEC.subtopicWeight}·sub-topic centre + Gaussian noise of length ` +
      `${DEFAULT_SPEC.noise}), all centres random unit vectors; ${QUERIES} queries drawn the same ` +
      `way. Exact = today's full scan. Binary codes take their centre from the first 1,000 vectors.`,
  );

  const variants: Variant[] = [
    { name: "int8 + float re-rank 200", upTo: 10_000, build: (n) => int8Scan(data, n, load, 200) },
    { name: "binary, no centre, re-rank 200", build: (n) => binary(data, n, load, 200, undefined) },
    ...[100, 200, 400].map((depth) => ({
      name: `binary + float re-rank ${depth}`,
      build: (n: number) => binary(data, n, load, depth, center),
    })),
  ];

  const rows: Array<Array<string | number>> = [];
  for (const size of SIZES) {
    // Today's design is the baseline and the ground truth: it is the exact search.
    const today = measure(() => todayScan(data, size));
    const truth: number[][] = [];
    const todayTimes = queries.map((q) => {
      const t0 = performance.now();
      truth.push(today.search(q));
      return performance.now() - t0;
    });
    rows.push(resultRow(size, "float32 exact (today)", today.bytes, today.measured, todayTimes, 1));
    for (const variant of variants) {
      if (variant.upTo !== undefined && size > variant.upTo) continue;
      const built = measure(() => variant.build(size));
      const times: number[] = [];
      let found = 0;
      queries.forEach((q, i) => {
        const t0 = performance.now();
        const ids = built.search(q);
        times.push(performance.now() - t0);
        const want = new Set(truth[i]);
        found += ids.slice(0, K).filter((id) => want.has(id)).length;
      });
      rows.push(
        resultRow(size, variant.name, built.bytes, built.measured, times, found / (QUERIES * K)),
      );
      console.log(rows[rows.length - 1]?.join("  "));
    }
  }
  printTable(
    `Dense search, ${QUERIES} queries, k = ${K} (bytes counted from the typed arrays and maps; "heap" is the measured growth of heap + array buffers)`,
    [
      "chunks",
      "design",
      "B/chunk",
      "of today",
      "resident",
      "heap B/chunk",
      "p50",
      "p95",
      "recall@10",
    ],
    rows,
  );
  console.log(
    `Targets: <= 25% of today's ${TODAY_BYTES_PER_CHUNK} B/chunk, recall@10 >= 0.98, 100k chunks <= ${BUDGET_BYTES / 2 ** 20} MB.`,
  );
  shardTimings(data, max, queries, load, center);
}

/** Query p50/p95 at `count` chunks over 1 and 4 shards (placement by id hash, dense merge). */
function shardTimings(
  data: Float32Array,
  count: number,
  queries: Float32Array[],
  load: LoadFloats,
  center: Float32Array,
): void {
  const rows: Array<Array<string | number>> = [];
  for (const shards of [1, 4]) {
    const indexes = Array.from(
      { length: shards },
      () => new BinaryVectorIndex({ dims: DIMS, center }),
    );
    for (let i = 0; i < count; i++) {
      const doc = `doc-${Math.floor(i / 10)}`;
      indexes[shardOf(doc, shards)]?.upsert(i, doc, row(data, i));
    }
    const totals: number[] = [];
    const slowest: number[] = [];
    for (const q of queries) {
      const t0 = performance.now();
      let worst = 0;
      const perShard = indexes.map((index) => {
        const s0 = performance.now();
        const hits = searchDense(index, q, K, load).map((h) => ({
          id: String(h.id),
          score: h.score,
        }));
        worst = Math.max(worst, performance.now() - s0);
        return hits;
      });
      mergeDense(perShard, K);
      totals.push(performance.now() - t0);
      slowest.push(worst);
    }
    const t = summarize(totals);
    const w = summarize(slowest);
    rows.push([
      shards,
      indexes.map((x) => x.size).join(" / "),
      ms(t.p50),
      ms(t.p95),
      ms(w.p50),
      ms(w.p95),
    ]);
  }
  printTable(
    `Dense query over ${count} chunks by shard count (in-process, one thread: shards run one after another; in production they run in parallel, so the slowest shard plus one round trip is the floor. Local timings say nothing about the six-connection limit.)`,
    [
      "shards",
      "chunks per shard",
      "total p50",
      "total p95",
      "slowest shard p50",
      "slowest shard p95",
    ],
    rows,
  );
}

function resultRow(
  size: number,
  name: string,
  bytes: number,
  measured: number,
  times: number[],
  recall: number,
): Array<string | number> {
  const s = summarize(times);
  const perChunk = bytes / size;
  return [
    size,
    name,
    Math.round(perChunk),
    `${((100 * perChunk) / TODAY_BYTES_PER_CHUNK).toFixed(1)}%`,
    `${((perChunk * size) / 2 ** 20).toFixed(1)} MB`,
    (measured / size).toFixed(0),
    ms(s.p50),
    ms(s.p95),
    recall.toFixed(3),
  ];
}

function todayScan(
  data: Float32Array,
  n: number,
): { bytes: number; search(q: Float32Array): number[] } {
  // Its own copy, as the INDEX object loads one from SQLite.
  const view = data.slice(0, n * DIMS);
  return {
    bytes: n * TODAY_BYTES_PER_CHUNK,
    // As the INDEX object does it: score every vector, sort them all, keep the head.
    search(q) {
      const scored: Array<{ rowid: number; score: number }> = [];
      for (let i = 0; i < n; i++) {
        let dot = 0;
        const base = i * DIMS;
        for (let d = 0; d < DIMS; d++) dot += (view[base + d] ?? 0) * (q[d] ?? 0);
        scored.push({ rowid: i, score: dot });
      }
      scored.sort((a, b) => b.score - a.score || a.rowid - b.rowid);
      return scored.slice(0, K).map((s) => s.rowid);
    },
  };
}

/** Per-vector int8 scalar quantisation (1 byte per dimension + a float scale), for comparison. */
function int8Scan(
  data: Float32Array,
  n: number,
  load: LoadFloats,
  depth: number,
): { bytes: number; search(q: Float32Array): number[] } {
  const codes = new Int8Array(n * DIMS);
  const scales = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = row(data, i);
    let max = 0;
    for (let d = 0; d < DIMS; d++) max = Math.max(max, Math.abs(v[d] ?? 0));
    const scale = max === 0 ? 0 : 127 / max;
    for (let d = 0; d < DIMS; d++) codes[i * DIMS + d] = Math.round((v[d] ?? 0) * scale);
    scales[i] = max / 127;
  }
  return {
    bytes: codes.byteLength + scales.byteLength + n * 16,
    search(q) {
      const scored: Array<{ id: number; score: number }> = [];
      for (let i = 0; i < n; i++) {
        let dot = 0;
        const base = i * DIMS;
        for (let d = 0; d < DIMS; d++) dot += (codes[base + d] ?? 0) * (q[d] ?? 0);
        scored.push({ id: i, score: dot * (scales[i] ?? 0) });
      }
      scored.sort((a, b) => b.score - a.score || a.id - b.id);
      const ids = scored.slice(0, depth).map((s) => s.id);
      const floats = load(ids);
      return ids
        .map((id, j) => ({ id, score: dotOf(q, floats[j] ?? new Float32Array(DIMS)) }))
        .sort((a, b) => b.score - a.score || a.id - b.id)
        .slice(0, K)
        .map((h) => h.id);
    },
  };
}

function binary(
  data: Float32Array,
  n: number,
  load: LoadFloats,
  depth: number,
  center: Float32Array | undefined,
): { bytes: number; search(q: Float32Array): number[] } {
  const index = new BinaryVectorIndex({ dims: DIMS, center });
  for (let i = 0; i < n; i++) index.upsert(i, `doc-${Math.floor(i / 10)}`, row(data, i));
  return {
    bytes: index.residentBytes(),
    search: (q) => searchDense(index, q, K, load, { rerank: depth }).map((h) => h.id),
  };
}

function row(data: Float32Array, i: number): Float32Array {
  return data.subarray(i * DIMS, (i + 1) * DIMS);
}

function dotOf(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += (a[d] ?? 0) * (b[d] ?? 0);
  return s;
}

/** The mean of the first `sample` rows: the fixed centre a new index would take from its first load. */
function meanOf(data: Float32Array, sample: number): Float32Array {
  const mean = new Float32Array(DIMS);
  for (let i = 0; i < sample; i++) {
    for (let d = 0; d < DIMS; d++) mean[d] = (mean[d] ?? 0) + (data[i * DIMS + d] ?? 0) / sample;
  }
  return mean;
}

const collect = ((): (() => void) => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as unknown;
  return typeof gc === "function" ? () => void (gc as () => void)() : () => undefined;
})();

/** Builds under a heap measurement: growth of V8 heap plus array buffers after a full GC. */
function measure<T>(build: () => T): T & { measured: number } {
  collect();
  const before = process.memoryUsage();
  const value = build();
  collect();
  const after = process.memoryUsage();
  const measured = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  return Object.assign(value as object, { measured }) as T & { measured: number };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await runVectorsBench();
}
