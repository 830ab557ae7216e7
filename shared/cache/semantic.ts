// The semantic index: per bucket (same index version, scope, k, filter, model...), the embeddings
// of questions whose answers are cached, so a reworded question can be served a cached answer
// when its embedding is close enough. Isolate memory, bounded by bytes; it stores pointers (the
// answer's exact key), never answers, so a purged or expired answer simply stops matching.
import type { Clock } from "../ports.js";
import { cosine } from "../vector/vector.js";
import { ByteLru } from "../util/byte-lru.js";

interface Candidate {
  key: string;
  query: string;
  vector: Float32Array;
}

/** The best cached question for a new one. */
export interface SemanticMatch {
  key: string;
  query: string;
  similarity: number;
}

export interface SemanticIndexOptions {
  maxBytes: number;
  /** Candidates kept per bucket (oldest dropped first); bounds the scan per lookup. */
  maxPerBucket?: number;
  ttlMs: number;
  clock?: Clock;
}

/**
 * @example
 * index.add(bucket, { key, query: "how do rate limits work", vector });
 * index.best(bucket, otherVector, 0.95); // { key, query, similarity } or null
 */
export class SemanticIndex {
  private readonly buckets: ByteLru<Candidate[]>;
  private readonly maxPerBucket: number;
  private readonly ttlMs: number;

  constructor(options: SemanticIndexOptions) {
    this.buckets = new ByteLru({
      maxBytes: options.maxBytes,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    this.maxPerBucket = options.maxPerBucket ?? 512;
    this.ttlMs = options.ttlMs;
  }

  /** Remembers that the answer under `candidate.key` answers `candidate.query`. */
  add(bucket: string, candidate: Candidate): void {
    const list = (this.buckets.get(bucket) ?? []).filter((c) => c.key !== candidate.key);
    list.push(candidate);
    while (list.length > this.maxPerBucket) list.shift();
    const bytes = list.reduce(
      (n, c) => n + c.vector.byteLength + c.key.length * 2 + c.query.length * 2,
      0,
    );
    this.buckets.set(bucket, list, { bytes, ttlMs: this.ttlMs });
  }

  /** The most similar candidate at or above `threshold`, or null. */
  best(bucket: string, vector: Float32Array, threshold: number): SemanticMatch | null {
    const list = this.buckets.get(bucket);
    if (!list) return null;
    let found: SemanticMatch | null = null;
    for (const c of list) {
      if (c.vector.length !== vector.length) continue;
      const similarity = cosine(c.vector, vector);
      if (similarity >= threshold && (!found || similarity > found.similarity)) {
        found = { key: c.key, query: c.query, similarity };
      }
    }
    return found;
  }

  /** Forgets a candidate whose answer is gone. */
  forget(bucket: string, key: string): void {
    const list = this.buckets.get(bucket);
    if (!list) return;
    const kept = list.filter((c) => c.key !== key);
    if (kept.length === 0) this.buckets.delete(bucket);
    else {
      const bytes = kept.reduce(
        (n, c) => n + c.vector.byteLength + c.key.length * 2 + c.query.length * 2,
        0,
      );
      this.buckets.set(bucket, kept, { bytes, ttlMs: this.ttlMs });
    }
  }

  /** Drops buckets whose name starts with `prefix` (all buckets without one); returns how many. */
  clear(prefix?: string): number {
    return prefix === undefined
      ? this.buckets.clear()
      : this.buckets.deleteWhere((bucket) => bucket.startsWith(prefix));
  }
}
