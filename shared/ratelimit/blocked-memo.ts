// An isolate-local memo of callers already refused, and until when: a caller that keeps knocking
// while limited is answered without a Durable Object round trip. It only ever refuses, and only
// until the instant the authority said it would refuse anyway, so it can never admit more than
// the limit. Bounded: past `maxEntries`, expired entries go first, then the oldest.
import type { Clock } from "../ports.js";

/** What a caller is blocked from: counted requests, paid spend, or everything (bad key). */
export type BlockKind = "requests" | "budget" | "denied";

/** A memo hit: when the block ends and what the authority said. */
export interface Blocked<T> {
  until: number;
  remainingMs: number;
  value: T;
}

/**
 * @example
 * const memo = new BlockedMemo<Decision>(Date.now);
 * memo.block(principalId, "requests", Date.now() + decision.retryAfterMs, decision);
 * memo.check(principalId, "requests"); // { until, remainingMs, value } or null
 */
export class BlockedMemo<T> {
  private readonly entries = new Map<string, { until: number; value: T }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 10_000,
  ) {}

  /** Remembers that `key` is refused `kind` until `until` (epoch ms); a later block wins. */
  block(key: string, kind: BlockKind, until: number, value: T): void {
    const id = `${kind}:${key}`;
    const existing = this.entries.get(id);
    if (existing && existing.until >= until) return;
    this.entries.delete(id);
    this.entries.set(id, { until, value });
    if (this.entries.size > this.maxEntries) this.evict();
  }

  /** The block in force for `key`, or null (expired entries are dropped on sight). */
  check(key: string, kind: BlockKind): Blocked<T> | null {
    const id = `${kind}:${key}`;
    const entry = this.entries.get(id);
    if (!entry) return null;
    const remainingMs = entry.until - this.clock();
    if (remainingMs <= 0) {
      this.entries.delete(id);
      return null;
    }
    return { until: entry.until, remainingMs, value: entry.value };
  }

  /** Entries held (expired ones included until seen). */
  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    const now = this.clock();
    for (const [id, entry] of this.entries) {
      if (entry.until <= now) this.entries.delete(id);
    }
    for (const id of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(id);
    }
  }
}
