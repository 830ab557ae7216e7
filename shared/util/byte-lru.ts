// Isolate-memory LRU bounded by bytes, not entries: one cached answer can be fifty times the size
// of another, and an isolate has 128 MB for everything. Expiry is checked on read (injected clock).
import type { Clock } from "../ports.js";

interface Slot<V> {
  value: V;
  bytes: number;
  expiresAt: number;
}

export interface ByteLruOptions {
  /** Upper bound on the sum of entries' declared sizes. */
  maxBytes: number;
  clock?: Clock;
}

/**
 * A least-recently-used map whose capacity is a byte budget. Each entry declares its size and a
 * time to live; the oldest entries are evicted until a new one fits, and an entry larger than
 * the whole budget is refused rather than flushing everything else.
 *
 * @example
 * const lru = new ByteLru<ArrayBuffer>({ maxBytes: 1 << 20 });
 * lru.set("k", buf, { bytes: buf.byteLength, ttlMs: 60_000 });
 * lru.get("k"); // buf, now the most recently used
 */
export class ByteLru<V> {
  // A Map iterates in insertion order, so re-inserting on use keeps the oldest entry first.
  private readonly slots = new Map<string, Slot<V>>();
  private used = 0;
  private readonly maxBytes: number;
  private readonly clock: Clock;

  constructor(options: ByteLruOptions) {
    if (!Number.isFinite(options.maxBytes) || options.maxBytes < 0) {
      throw new RangeError(`ByteLru: maxBytes must be >= 0, got ${options.maxBytes}`);
    }
    this.maxBytes = options.maxBytes;
    this.clock = options.clock ?? (() => Date.now());
  }

  /** The live value for `key` (marking it most recently used), or undefined. */
  get(key: string): V | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    if (slot.expiresAt <= this.clock()) {
      this.remove(key, slot);
      return undefined;
    }
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot.value;
  }

  /** Stores `value`; false (and nothing stored) when it alone exceeds the budget. */
  set(key: string, value: V, options: { bytes: number; ttlMs: number }): boolean {
    const previous = this.slots.get(key);
    if (previous) this.remove(key, previous);
    const bytes = Math.max(0, Math.ceil(options.bytes));
    if (bytes > this.maxBytes || !(options.ttlMs > 0)) return false;
    while (this.used + bytes > this.maxBytes) {
      const oldest = this.slots.entries().next();
      if (oldest.done) break;
      this.remove(oldest.value[0], oldest.value[1]);
    }
    this.slots.set(key, { value, bytes, expiresAt: this.clock() + options.ttlMs });
    this.used += bytes;
    return true;
  }

  /** Removes `key`; true when it was present. */
  delete(key: string): boolean {
    const slot = this.slots.get(key);
    if (!slot) return false;
    this.remove(key, slot);
    return true;
  }

  /** Removes every entry whose key matches; returns how many were removed. */
  deleteWhere(matches: (key: string) => boolean): number {
    let removed = 0;
    for (const [key, slot] of [...this.slots]) {
      if (matches(key)) {
        this.remove(key, slot);
        removed++;
      }
    }
    return removed;
  }

  /** Removes everything; returns how many entries there were. */
  clear(): number {
    const n = this.slots.size;
    this.slots.clear();
    this.used = 0;
    return n;
  }

  /** Entries held (including expired ones not yet read). */
  get size(): number {
    return this.slots.size;
  }

  /** Sum of the held entries' declared sizes. */
  get bytes(): number {
    return this.used;
  }

  private remove(key: string, slot: Slot<V>): void {
    this.slots.delete(key);
    this.used -= slot.bytes;
  }
}
