// Vector math for retrieval: similarity, normalization, top-k selection and blob encoding.
// topK must stay O(n log k) (a bounded heap, never a full sort) because it scans whole indexes.

/** A stored vector with its id. */
export interface IdVector {
  id: string;
  vector: Float32Array;
}

/** A scored hit from {@link topK}. */
export interface ScoredId {
  id: string;
  score: number;
}

/** Dot product. Throws a RangeError on a length mismatch (vectors from different models). */
export function dot(a: Float32Array, b: Float32Array): number {
  assertSameLength(a, b);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

/** Cosine similarity in [-1, 1]; 0 when either vector is all zeros. */
export function cosine(a: Float32Array, b: Float32Array): number {
  assertSameLength(a, b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/** Returns a new unit-length copy of `v`; the zero vector stays zero. */
export function l2normalize(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += (v[i] ?? 0) * (v[i] ?? 0);
  const out = new Float32Array(v.length);
  if (norm === 0) return out;
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] ?? 0) * inv;
  return out;
}

/**
 * The `k` vectors most cosine-similar to `query`, best first (ties by id, ascending).
 * Uses a size-k min-heap, so 100k vectors cost O(n log k); `k` larger than the list returns all.
 *
 * @example
 * topK(q, [{ id: "a", vector: va }, { id: "b", vector: vb }], 1); // [{ id: "a", score: 0.93 }]
 */
export function topK(query: Float32Array, vectors: readonly IdVector[], k: number): ScoredId[] {
  const limit = Math.min(Math.floor(k), vectors.length);
  if (!(limit > 0)) return [];
  let qq = 0;
  for (let i = 0; i < query.length; i++) qq += (query[i] ?? 0) * (query[i] ?? 0);
  const qNorm = Math.sqrt(qq);

  // heap[0] is the worst of the kept hits; a candidate enters only if it beats that.
  const heap: ScoredId[] = [];
  for (const { id, vector } of vectors) {
    assertSameLength(query, vector);
    let qv = 0;
    let vv = 0;
    for (let i = 0; i < vector.length; i++) {
      const y = vector[i] ?? 0;
      qv += (query[i] ?? 0) * y;
      vv += y * y;
    }
    const score = qNorm === 0 || vv === 0 ? 0 : qv / (qNorm * Math.sqrt(vv));
    const hit = { id, score };
    if (heap.length < limit) {
      heap.push(hit);
      siftUp(heap, heap.length - 1);
    } else if (heap[0] !== undefined && better(hit, heap[0])) {
      heap[0] = hit;
      siftDown(heap, 0);
    }
  }
  return heap.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
}

/** Encodes a vector as little-endian float32 bytes in a fresh ArrayBuffer (for KV/SQLite blobs). */
export function float32ToBytes(v: Float32Array): ArrayBuffer {
  const out = new ArrayBuffer(v.length * 4);
  if (LITTLE_ENDIAN) {
    new Float32Array(out).set(v);
  } else {
    const view = new DataView(out);
    for (let i = 0; i < v.length; i++) view.setFloat32(i * 4, v[i] ?? 0, true);
  }
  return out;
}

/**
 * Decodes little-endian float32 bytes into a new Float32Array. Copies first, so a Uint8Array at
 * any byte offset (e.g. a view into a larger SQLite row buffer) is safe. Throws a RangeError if
 * the length is not a multiple of 4 (a corrupt blob).
 */
export function bytesToFloat32(buf: ArrayBuffer | Uint8Array): Float32Array {
  const bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  if (bytes.byteLength % 4 !== 0) {
    throw new RangeError(`bytesToFloat32: ${bytes.byteLength} bytes is not a multiple of 4`);
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  if (LITTLE_ENDIAN) return new Float32Array(copy.buffer);
  const view = new DataView(copy.buffer);
  const out = new Float32Array(copy.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function assertSameLength(a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) {
    throw new RangeError(`vector length mismatch: ${a.length} vs ${b.length}`);
  }
}

/** True if `a` ranks before `b`: higher score, then smaller id. */
function better(a: ScoredId, b: ScoredId): boolean {
  return a.score > b.score || (a.score === b.score && a.id < b.id);
}

function siftUp(heap: ScoredId[], index: number): void {
  let i = index;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!worseAt(heap, i, parent)) return;
    swap(heap, i, parent);
    i = parent;
  }
}

function siftDown(heap: ScoredId[], index: number): void {
  let i = index;
  for (;;) {
    let worst = i;
    if (worseAt(heap, 2 * i + 1, worst)) worst = 2 * i + 1;
    if (worseAt(heap, 2 * i + 2, worst)) worst = 2 * i + 2;
    if (worst === i) return;
    swap(heap, i, worst);
    i = worst;
  }
}

/** True if heap[a] exists and ranks after heap[b]. */
function worseAt(heap: readonly ScoredId[], a: number, b: number): boolean {
  const x = heap[a];
  const y = heap[b];
  return x !== undefined && y !== undefined && better(y, x);
}

function swap(heap: ScoredId[], a: number, b: number): void {
  const x = heap[a];
  const y = heap[b];
  if (x === undefined || y === undefined) return;
  heap[a] = y;
  heap[b] = x;
}
