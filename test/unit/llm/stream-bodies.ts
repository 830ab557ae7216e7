// Byte streams for tests of stream readers: a body delivered read by read, and draining a
// generator.

const encoder = new TextEncoder();

/** A body that delivers `parts` as separate reads, then closes (or errors, if `error` is set). */
export function body(parts: string[], error?: Error): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const part = parts[i++];
      if (part !== undefined) controller.enqueue(encoder.encode(part));
      else if (error) controller.error(error);
      else controller.close();
    },
  });
}

export async function collect<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}
