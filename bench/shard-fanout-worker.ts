// One shard of the fan-out benchmark in its own thread, as a shard is its own Durable Object:
// builds the binary index of its chunks from the shared vectors, then answers each query with
// its exactly re-scored dense candidates and the milliseconds it spent.
import { parentPort, workerData } from "node:worker_threads";
import { BinaryVectorIndex } from "../shared/search/binary-vector-index.js";
import { searchDense } from "../shared/search/dense-search.js";
import { shardOf } from "../shared/search/shard-placement.js";

interface Setup {
  data: SharedArrayBuffer;
  count: number;
  dims: number;
  shard: number;
  shards: number;
  center: Float32Array;
  candidates: number;
}

const setup = (workerData as { setup: Setup }).setup;
const data = new Float32Array(setup.data);
const row = (i: number) => data.subarray(i * setup.dims, (i + 1) * setup.dims);
const index = new BinaryVectorIndex({ dims: setup.dims, center: setup.center });
for (let i = 0; i < setup.count; i++) {
  const doc = `doc-${Math.floor(i / 10)}`;
  if (shardOf(doc, setup.shards) === setup.shard) index.upsert(i, doc, row(i));
}
parentPort?.postMessage({ ready: true, size: index.size });
parentPort?.on("message", (query: Float32Array) => {
  const t0 = performance.now();
  const hits = searchDense(index, query, setup.candidates, (ids) => ids.map((id) => row(id))).map(
    (h) => ({ id: String(h.id), score: h.score }),
  );
  parentPort?.postMessage({ hits, ms: performance.now() - t0 });
});
