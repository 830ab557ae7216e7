// Clustered synthetic embeddings for the vector benchmark. Uniform random vectors are the easy
// case for quantisation (every pair nearly orthogonal); real embeddings share a common offset and
// gather in topics, so nearest neighbours are many, close and hard to tell apart.
import { seeded } from "../../test/support/seeded-random.js";

/** How the synthetic set is built; see {@link clusteredVectors}. */
export interface ClusteredSpec {
  count: number;
  dims: number;
  /** Topics; each has `subtopics` sub-clusters, and topics are drawn skewed (a few are large). */
  clusters: number;
  subtopics: number;
  /** Weight of the sub-topic centre relative to the unit topic centre. */
  subtopicWeight: number;
  /** Weight of the offset every vector shares (anisotropy). */
  shared: number;
  /** Length of the per-vector Gaussian noise relative to the unit cluster centre. */
  noise: number;
  seed: number;
}

/** The default: 200 topics of 20 sub-topics, a shared offset of 0.5, noise as long as a centre. */
export const DEFAULT_SPEC: Omit<ClusteredSpec, "count"> = {
  dims: 1536,
  clusters: 200,
  subtopics: 20,
  subtopicWeight: 0.7,
  shared: 0.5,
  noise: 1,
  seed: 7,
};

/** A generator of unit vectors: `next(into)` writes one vector of a random (sub-)topic. */
export function clusteredSource(spec: Omit<ClusteredSpec, "count">): (into: Float32Array) => void {
  const rand = seeded(spec.seed);
  const gauss = gaussian(rand);
  const unit = (): Float32Array => {
    const v = new Float32Array(spec.dims);
    for (let d = 0; d < spec.dims; d++) v[d] = gauss();
    return normalizeInPlace(v);
  };
  const offset = unit();
  const centres = Array.from({ length: spec.clusters }, unit);
  const subs = Array.from({ length: spec.clusters * spec.subtopics }, unit);
  const sigma = spec.noise / Math.sqrt(spec.dims);
  return (into) => {
    // rand()² skews topic sizes: the first topics are drawn far more often than the last.
    const topic = Math.floor(rand() ** 2 * spec.clusters);
    const centre = centres[topic] ?? offset;
    const sub = subs[topic * spec.subtopics + Math.floor(rand() * spec.subtopics)] ?? offset;
    const w = spec.subtopicWeight;
    for (let d = 0; d < spec.dims; d++) {
      into[d] =
        spec.shared * (offset[d] ?? 0) + (centre[d] ?? 0) + w * (sub[d] ?? 0) + sigma * gauss();
    }
    normalizeInPlace(into);
  };
}

/**
 * `count` unit vectors in one contiguous array (row i at i * dims), drawn by
 * {@link clusteredSource}: v = normalize(shared·offset + topic + w·sub-topic + noise).
 */
export function clusteredVectors(spec: ClusteredSpec): Float32Array {
  const next = clusteredSource(spec);
  const out = new Float32Array(spec.count * spec.dims);
  for (let i = 0; i < spec.count; i++) next(out.subarray(i * spec.dims, (i + 1) * spec.dims));
  return out;
}

function normalizeInPlace(v: Float32Array): Float32Array {
  let norm = 0;
  for (let d = 0; d < v.length; d++) norm += (v[d] ?? 0) * (v[d] ?? 0);
  const inv = norm === 0 ? 0 : 1 / Math.sqrt(norm);
  for (let d = 0; d < v.length; d++) v[d] = (v[d] ?? 0) * inv;
  return v;
}

/** Box-Muller over a seeded uniform source; returns both variates of each pair in turn. */
function gaussian(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = Math.max(rand(), 1e-12);
    const r = Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * rand();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
}
