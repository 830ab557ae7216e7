// Cooperative slicing of long CPU work (chunking, tokenising, hash embedding). An isolate runs one
// thing at a time: a synchronous stretch of seconds holds every other request of the isolate, and
// the runtime does not even read new requests meanwhile (locally the Worker, its Durable Objects
// and KV share one thread). Work that counts what it did here gives way after each slice.
// The yield is a macrotask (a zero timer), not a microtask: only a timer lets the runtime's event
// loop poll its sockets before the work goes on. Budgets count work units, never time: a Worker's
// clock does not advance during synchronous code.

/** Waits for a zero-delay timer: pending I/O and other requests run first. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Counts units of work (characters, texts) and yields to the event loop each time a slice's
 * worth has been spent since the last yield.
 *
 * @example
 * const budget = new YieldBudget(32_000);
 * for (const doc of docs) {
 *   chunks.push(chunkText(doc.text, opts));
 *   await budget.spend(doc.text.length); // gives way about every 32k characters
 * }
 */
export class YieldBudget {
  private spent = 0;
  private yields = 0;

  /**
   * @param unitsPerSlice work done between two yields (> 0)
   * @param pause how to give way; the default is {@link yieldToEventLoop}
   */
  constructor(
    private readonly unitsPerSlice: number,
    private readonly pause: () => Promise<void> = yieldToEventLoop,
  ) {
    if (!(unitsPerSlice > 0)) throw new RangeError("unitsPerSlice must be positive");
  }

  /** How many times this budget gave way. */
  get yielded(): number {
    return this.yields;
  }

  /** Records `units` of work done; yields once a slice is full. */
  async spend(units: number): Promise<void> {
    this.spent += units;
    if (this.spent < this.unitsPerSlice) return;
    this.spent = 0;
    this.yields += 1;
    await this.pause();
  }
}
