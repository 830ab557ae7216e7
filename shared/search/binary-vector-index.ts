// The resident half of memory-bounded dense search: per vector, one bit per dimension (the sign
// after subtracting a fixed centre) and two floats, ~1/30 of a float32 copy. The query stays in
// float ("asymmetric" scoring through a 256-entry table per code byte), which ranks far better
// than Hamming distance for the same codes. Scores are estimates: callers re-score the best
// candidates exactly from the float vectors (see dense-search.ts). Updates are in place: slots
// grow by doubling and a delete moves the last slot into the hole, so no write rebuilds anything.
import { TopN } from "./top-n.js";

/** Options for {@link BinaryVectorIndex}. */
export interface BinaryVectorIndexOptions {
  /** Vector length; every vector added must have it. */
  dims: number;
  /**
   * Subtracted from each vector before its signs are taken. Embeddings share a common offset
   * (they are not centred on zero); without this most bits would be the same for every vector.
   * Fixed for the index's life, since every stored code depends on it. Default: no offset.
   */
  center?: Float32Array;
  /** Slots allocated up front; grows by doubling. Default 1024. */
  initialCapacity?: number;
}

/** An approximate hit: the caller's id, its group (e.g. document id) and the estimated cosine. */
export interface ApproximateHit {
  id: number;
  group: string;
  score: number;
}

/** Decides per candidate whether a search may return it (a metadata filter, typically). */
export type AllowHit = (group: string, id: number) => boolean;

/**
 * Binary codes of float vectors, keyed by a numeric id (a SQLite rowid, say) with a group string
 * per vector for filtering. Not thread-safe across awaits: every method is synchronous.
 *
 * @example
 * const index = new BinaryVectorIndex({ dims: 1536 });
 * index.upsert(17, "doc-a", vector);
 * index.approximate(query, 200); // [{ id: 17, group: "doc-a", score: 0.81 }, ...]
 */
export class BinaryVectorIndex {
  readonly dims: number;
  /** Bytes of code per vector: ceil(dims / 8). */
  readonly codeBytes: number;
  private readonly center: Float32Array | null;
  private codes: Uint8Array;
  /** Per slot: mean |v - c| / |v|, the scale that turns a ±1 code back into v - c, over |v|. */
  private scales: Float32Array;
  /** Per slot: 1 / |v|, weighting the query's dot with the centre. */
  private invNorms: Float32Array;
  private ids: Float64Array;
  private groups: string[] = [];
  private readonly slotOf = new Map<number, number>();
  private count = 0;

  constructor(opts: BinaryVectorIndexOptions) {
    if (!Number.isInteger(opts.dims) || opts.dims < 1) {
      throw new RangeError(`BinaryVectorIndex: dims must be a positive integer, got ${opts.dims}`);
    }
    if (opts.center && opts.center.length !== opts.dims) {
      throw new RangeError(
        `BinaryVectorIndex: center has ${opts.center.length} dims, not ${opts.dims}`,
      );
    }
    this.dims = opts.dims;
    this.codeBytes = Math.ceil(opts.dims / 8);
    this.center = opts.center ? Float32Array.from(opts.center) : null;
    const capacity = Math.max(1, Math.floor(opts.initialCapacity ?? 1024));
    this.codes = new Uint8Array(capacity * this.codeBytes);
    this.scales = new Float32Array(capacity);
    this.invNorms = new Float32Array(capacity);
    this.ids = new Float64Array(capacity);
  }

  /** How many vectors are held. */
  get size(): number {
    return this.count;
  }

  /**
   * Bytes held by the typed arrays and the id map (allocated capacity, not just used slots),
   * the group strings excluded (shared with the caller's own document records).
   */
  residentBytes(): number {
    // A Map entry of number -> number costs about 3 words in V8's ordered hash table plus its
    // bucket: ~32 bytes. The groups array holds one pointer per slot.
    const mapBytes = this.slotOf.size * 32;
    const pointerBytes = this.groups.length * 8;
    return (
      this.codes.byteLength +
      this.scales.byteLength +
      this.invNorms.byteLength +
      this.ids.byteLength +
      mapBytes +
      pointerBytes +
      (this.center?.byteLength ?? 0)
    );
  }

  /** True if `id` is held. */
  has(id: number): boolean {
    return this.slotOf.has(id);
  }

  /** Adds `id`, or replaces its vector and group if present. Throws on a wrong length. */
  upsert(id: number, group: string, vector: Float32Array): void {
    if (vector.length !== this.dims) {
      throw new RangeError(`BinaryVectorIndex: vector has ${vector.length} dims, not ${this.dims}`);
    }
    let slot = this.slotOf.get(id);
    if (slot === undefined) {
      if (this.count === this.ids.length) this.grow();
      slot = this.count;
      this.count += 1;
      this.slotOf.set(id, slot);
    }
    this.ids[slot] = id;
    this.groups[slot] = group;
    this.encode(slot, vector);
  }

  /** Removes `id`; false when it was not held. The last slot moves into the hole. */
  delete(id: number): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.slotOf.delete(id);
    const last = this.count - 1;
    if (slot !== last) {
      const lastId = this.ids[last] ?? 0;
      this.codes.copyWithin(
        slot * this.codeBytes,
        last * this.codeBytes,
        (last + 1) * this.codeBytes,
      );
      this.scales[slot] = this.scales[last] ?? 0;
      this.invNorms[slot] = this.invNorms[last] ?? 0;
      this.ids[slot] = lastId;
      this.groups[slot] = this.groups[last] ?? "";
      this.slotOf.set(lastId, slot);
    }
    this.groups.length = last;
    this.count = last;
    return true;
  }

  /**
   * The `n` ids whose estimated cosine with `query` is highest, best first (ties: earlier slot).
   * Vectors `allowed` rejects are skipped before scoring. Cost: one table build (256 entries per
   * code byte) plus `codeBytes` lookups per held vector.
   */
  approximate(query: Float32Array, n: number, allowed?: AllowHit): ApproximateHit[] {
    if (query.length !== this.dims) {
      throw new RangeError(`BinaryVectorIndex: query has ${query.length} dims, not ${this.dims}`);
    }
    const top = new TopN(Math.min(Math.floor(n), this.count));
    if (top.capacity <= 0) return [];
    const table = this.lookupTable(query);
    let queryNorm = 0;
    for (let d = 0; d < this.dims; d++) queryNorm += (query[d] ?? 0) * (query[d] ?? 0);
    const invQuery = queryNorm === 0 ? 0 : 1 / Math.sqrt(queryNorm);
    let queryDotCenter = 0;
    if (this.center) {
      for (let d = 0; d < this.dims; d++) queryDotCenter += (query[d] ?? 0) * (this.center[d] ?? 0);
    }
    const { codes, codeBytes, scales, invNorms } = this;
    for (let slot = 0; slot < this.count; slot++) {
      if (allowed && !allowed(this.groups[slot] ?? "", this.ids[slot] ?? 0)) continue;
      let sum = 0;
      const base = slot * codeBytes;
      for (let j = 0; j < codeBytes; j++) sum += table[(j << 8) | (codes[base + j] ?? 0)] ?? 0;
      top.push(queryDotCenter * (invNorms[slot] ?? 0) + (scales[slot] ?? 0) * sum, slot);
    }
    return top.drain().map(({ slot, score }) => ({
      id: this.ids[slot] ?? 0,
      group: this.groups[slot] ?? "",
      score: score * invQuery,
    }));
  }

  /**
   * table[j * 256 + b] = Σ over the 8 dims of byte j of (bit set ? +q : -q). Built per byte by
   * adding one set bit at a time: entry b = entry (b without its lowest bit) + 2·q[that dim].
   */
  private lookupTable(query: Float32Array): Float32Array {
    const table = new Float32Array(this.codeBytes * 256);
    for (let j = 0; j < this.codeBytes; j++) {
      const base = j * 256;
      let allClear = 0;
      for (let t = 0; t < 8; t++) allClear -= query[j * 8 + t] ?? 0;
      table[base] = allClear;
      for (let b = 1; b < 256; b++) {
        const low = b & -b;
        const bit = 31 - Math.clz32(low);
        table[base + b] = (table[base + (b ^ low)] ?? 0) + 2 * (query[j * 8 + bit] ?? 0);
      }
    }
    return table;
  }

  private encode(slot: number, vector: Float32Array): void {
    const base = slot * this.codeBytes;
    this.codes.fill(0, base, base + this.codeBytes);
    let norm = 0;
    let absSum = 0;
    for (let d = 0; d < this.dims; d++) {
      const x = vector[d] ?? 0;
      const r = x - (this.center?.[d] ?? 0);
      norm += x * x;
      absSum += Math.abs(r);
      if (r > 0) this.codes[base + (d >> 3)] = (this.codes[base + (d >> 3)] ?? 0) | (1 << (d & 7));
    }
    // The zero vector scores 0 against everything, as in exact cosine.
    const inv = norm === 0 ? 0 : 1 / Math.sqrt(norm);
    this.invNorms[slot] = inv;
    this.scales[slot] = (absSum / this.dims) * inv;
  }

  private grow(): void {
    const capacity = this.ids.length * 2;
    const codes = new Uint8Array(capacity * this.codeBytes);
    codes.set(this.codes);
    this.codes = codes;
    this.scales = grown(this.scales, new Float32Array(capacity));
    this.invNorms = grown(this.invNorms, new Float32Array(capacity));
    this.ids = grown(this.ids, new Float64Array(capacity));
  }
}

function grown<T extends Float32Array | Float64Array>(old: T, next: T): T {
  next.set(old);
  return next;
}
