// A bounded min-heap over (score, slot) pairs in typed arrays: the n best of a long scan in
// O(total log n) with no per-candidate allocation, which matters when scanning 100k vectors.

/** Keeps the `capacity` highest-scoring slots seen; ties go to the smaller slot. */
export class TopN {
  private readonly scores: Float64Array;
  private readonly slots: Int32Array;
  private size = 0;

  constructor(readonly capacity: number) {
    const n = Math.max(0, Math.floor(capacity));
    this.scores = new Float64Array(n);
    this.slots = new Int32Array(n);
  }

  /** The score a new candidate must beat to enter once full; -Infinity while not full. */
  get threshold(): number {
    return this.size < this.capacity ? -Infinity : (this.scores[0] ?? -Infinity);
  }

  /** Offers a candidate; kept if it ranks among the best `capacity` so far. */
  push(score: number, slot: number): void {
    if (this.capacity <= 0) return;
    if (this.size < this.capacity) {
      this.scores[this.size] = score;
      this.slots[this.size] = slot;
      this.size += 1;
      this.siftUp(this.size - 1);
    } else if (this.ranksBefore(score, slot, 0)) {
      this.scores[0] = score;
      this.slots[0] = slot;
      this.siftDown(0);
    }
  }

  /** The kept candidates, best first. */
  drain(): Array<{ slot: number; score: number }> {
    const out: Array<{ slot: number; score: number }> = [];
    for (let i = 0; i < this.size; i++) {
      out.push({ slot: this.slots[i] ?? 0, score: this.scores[i] ?? 0 });
    }
    return out.sort((a, b) => b.score - a.score || a.slot - b.slot);
  }

  /** True if (score, slot) ranks before the entry at heap index i. */
  private ranksBefore(score: number, slot: number, i: number): boolean {
    const s = this.scores[i] ?? 0;
    return score > s || (score === s && slot < (this.slots[i] ?? 0));
  }

  private siftUp(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      // The heap keeps its worst entry on top: move up while the parent ranks before us.
      if (!this.ranksBefore(this.scores[parent] ?? 0, this.slots[parent] ?? 0, i)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(index: number): void {
    let i = index;
    for (;;) {
      let worst = i;
      for (const child of [2 * i + 1, 2 * i + 2]) {
        if (
          child < this.size &&
          this.ranksBefore(this.scores[worst] ?? 0, this.slots[worst] ?? 0, child)
        ) {
          worst = child;
        }
      }
      if (worst === i) return;
      this.swap(i, worst);
      i = worst;
    }
  }

  private swap(a: number, b: number): void {
    const s = this.scores[a] ?? 0;
    const t = this.slots[a] ?? 0;
    this.scores[a] = this.scores[b] ?? 0;
    this.slots[a] = this.slots[b] ?? 0;
    this.scores[b] = s;
    this.slots[b] = t;
  }
}
