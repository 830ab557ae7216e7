// Relays an opened upstream chunk stream to the client as OpenAI SSE. Once the first byte is out
// there is no retry: a cut, an error event or a stall ends the client's stream with an error
// event and no `[DONE]`, and the end is reported as a failure, never as a clean finish.
// When the client goes away the upstream has already billed the prompt and keeps generating: the
// relay reads on (bounded, in `waitUntil`) to learn the real usage, and says when it could not.
import { chunkObject } from "./completion-shapes.js";
import type { RetryTimers } from "./retry.js";
import { SSE_DONE, sseData, sseError } from "./sse.js";
import type { ChatChunk, StreamEvent, UpstreamFailure, Usage } from "./types.js";

/** How a relayed stream ended. */
export interface StreamEnd {
  outcome: "complete" | "failed" | "cancelled";
  failure?: UpstreamFailure;
  /**
   * All generated text received (content, tool calls, refusals), for counting tokens when no
   * usage was reported.
   */
  text: string;
  /** The upstream's reported usage, if it sent one. */
  usage?: Usage;
  /**
   * For a cancelled stream: whether the upstream stream was read to its end after the client
   * left. False means the connection was closed early and neither `usage` nor `text` is the bill.
   */
  drained?: boolean;
}

/** Reading on after the client left, to learn the usage the upstream bills. */
export interface DrainOptions {
  /** Keeps the read alive after the response is gone (the platform's waitUntil). */
  waitUntil(promise: Promise<unknown>): void;
  /** Reads on for at most this long, then closes the connection (0: never read on). */
  maxMs: number;
}

export interface RelayOptions {
  first: ChatChunk;
  rest: AsyncGenerator<StreamEvent, void, undefined>;
  /** Closes the upstream connection even while a read is pending (a stall, the client gone). */
  abort(): void;
  /** The catalog id written into every chunk's `model`. */
  model: string;
  /** The caller asked for `stream_options.include_usage`: pass (or add) the usage chunk. */
  includeUsage: boolean;
  /** Usage for the caller's usage chunk when the upstream reported none. */
  countUsage(text: string): Usage;
  /**
   * The message of the error event a failed stream ends with. Upstream text must not reach the
   * client, so the default names only the reason; the route adds its request id (and logs).
   */
  failureMessage?(failure: UpstreamFailure): string;
  /** A stream silent for this long is treated as cut. */
  idleTimeoutMs: number;
  timers: Pick<RetryTimers, "setTimer" | "now">;
  /** Called exactly once, however the stream ends (including the client going away). */
  onEnd(end: StreamEnd): void;
  /** When set, a cancelled stream is drained for its usage (see {@link StreamEnd.drained}). */
  drain?: DrainOptions;
}

/**
 * The client's SSE body. Pull-based, so a slow client slows the upstream read instead of
 * buffering; cancelling it (the client left) closes the upstream connection.
 *
 * @example
 * return new Response(relayStream({ first, rest, model, ... }), { headers: SSE_HEADERS });
 */
export function relayStream(opts: RelayOptions): ReadableStream<Uint8Array> {
  let text = "";
  let usage: Usage | undefined;
  let ended = false;
  let cancelled = false;
  /** How the upstream stream ended, once it has: what the last read returned. */
  let finished: "done" | "error" | null = null;
  const id = typeof opts.first.raw.id === "string" ? opts.first.raw.id : "chatcmpl-ragway";
  const created = typeof opts.first.raw.created === "number" ? opts.first.raw.created : 0;

  let markEnded = (): void => undefined;
  // Held by waitUntil from the start, not only once the client leaves: a runtime may cancel an
  // invocation's I/O when its client disconnects unless work is already registered to outlive it.
  if (opts.drain) {
    opts.drain.waitUntil(new Promise<void>((resolve) => (markEnded = resolve)));
  }

  const end = (
    outcome: StreamEnd["outcome"],
    failure?: UpstreamFailure,
    drained?: boolean,
  ): void => {
    if (ended) return;
    ended = true;
    stopWatch();
    if (finished === "done") void releaseUpstream().finally(markEnded);
    else markEnded();
    opts.onEnd({
      outcome,
      ...(failure ? { failure } : {}),
      text,
      ...(usage ? { usage } : {}),
      ...(drained !== undefined ? { drained } : {}),
    });
  };

  /** Every chunk read is accounted here, whoever reads it (the client's pull or the drain). */
  const account = (chunk: ChatChunk): void => {
    text += chunk.content + (chunk.otherText ?? "");
    if (chunk.usage) usage = chunk.usage;
  };

  /** The next upstream event, accounted. Calls queue on the generator, so none is lost. */
  const read = async (): Promise<IteratorResult<StreamEvent, void>> => {
    const step = await opts.rest.next();
    if (step.done) finished ??= "error";
    else if (step.value.type === "chunk") account(step.value.chunk);
    else finished ??= step.value.type === "done" ? "done" : "error";
    return step;
  };

  /** The chunk as the client sees it, or null when it only carried usage the client didn't ask for. */
  const render = (chunk: ChatChunk): Uint8Array | null => {
    const out: Record<string, unknown> = { ...chunk.raw, model: opts.model };
    if (!opts.includeUsage) {
      delete out.usage;
      if (Array.isArray(out.choices) && out.choices.length === 0) return null;
    }
    return sseData(out);
  };

  /** Runs `work`, or resolves "late" after `ms` if it has not settled (the timer starts first). */
  const within = async <T>(ms: number, work: () => Promise<T>): Promise<T | "late"> => {
    let cancel = (): void => undefined;
    const late = new Promise<"late">((resolve) => {
      cancel = opts.timers.setTimer(ms, () => resolve("late"));
    });
    try {
      return await Promise.race([work(), late]);
    } finally {
      cancel();
    }
  };

  // The idle timeout of the client's reads: one timer, re-armed for what is left when it fires
  // while a read is pending, instead of a timer set and cleared for every chunk.
  let readingSince: number | null = null;
  let lateRead: (() => void) | null = null;
  let cancelWatch: (() => void) | null = null;
  const watch = (ms: number): void => {
    cancelWatch = opts.timers.setTimer(ms, () => {
      cancelWatch = null;
      if (readingSince === null) return; // nothing pending: the next read arms it again
      const waited = opts.timers.now() - readingSince;
      if (waited >= opts.idleTimeoutMs) lateRead?.();
      else watch(opts.idleTimeoutMs - waited);
    });
  };
  const stopWatch = (): void => {
    cancelWatch?.();
    cancelWatch = null;
  };
  /** The next event, or "late" when it has not come within the idle timeout. */
  const readWatched = async (): Promise<IteratorResult<StreamEvent, void> | "late"> => {
    readingSince = opts.timers.now();
    // Set before the read starts: a read can stall, and the clock move, before it first yields.
    const late = new Promise<"late">((resolve) => (lateRead = () => resolve("late")));
    if (cancelWatch === null) watch(opts.idleTimeoutMs);
    try {
      return await Promise.race([read(), late]);
    } finally {
      readingSince = null;
      lateRead = null;
    }
  };

  // A generator's return() waits for a pending next(): abort the connection first, and don't
  // wait for the generator to wind down.
  const stopUpstream = (): void => {
    opts.abort();
    void opts.rest.return(undefined).catch(() => undefined);
  };

  /**
   * After `[DONE]`: lets the upstream finish its body (it ends right after), so that its
   * connection can carry the next call instead of being closed and opened again (a new TCP and
   * TLS handshake on the next stream's first token). Closed after the idle timeout all the same.
   */
  const releaseUpstream = async (): Promise<void> => {
    const wound = await within(opts.idleTimeoutMs, () =>
      opts.rest.return(undefined).catch(() => undefined),
    );
    if (wound === "late") opts.abort();
  };

  /** Reads the rest of an abandoned stream, up to the drain bound; true if it reached the end. */
  const drainRest = async (maxMs: number): Promise<boolean> => {
    const readToEnd = async (): Promise<"read" | "broken"> => {
      try {
        while (finished === null) await read();
        return "read";
      } catch {
        return "broken";
      }
    };
    // Past the bound the read may still be pending: closing the connection (the caller's
    // stopUpstream) ends it.
    const outcome = await within(maxMs, readToEnd);
    return outcome === "read" && finished === "done";
  };

  const fail = (
    controller: ReadableStreamDefaultController<Uint8Array>,
    failure: UpstreamFailure,
  ): void => {
    const code = failure.reason === "truncated" ? "stream_truncated" : "upstream_error";
    const message =
      opts.failureMessage?.(failure) ?? `the upstream stream failed (${failure.reason})`;
    controller.enqueue(sseError(message, code));
    controller.close();
    end("failed", failure);
    stopUpstream();
  };

  account(opts.first);
  const firstBytes = render(opts.first);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (firstBytes) controller.enqueue(firstBytes);
    },
    async pull(controller) {
      // Loop until something is enqueued: a pull that enqueues nothing may not be called again.
      for (;;) {
        const step = await readWatched();
        // The client left while this read was pending: the drain owns the stream now.
        if (cancelled) return;
        if (step === "late") {
          fail(controller, {
            reason: "truncated",
            message: `no data for ${opts.idleTimeoutMs} ms`,
            retryable: false,
          });
          return;
        }
        if (step.done) {
          fail(controller, { reason: "truncated", message: "stream ended", retryable: false });
          return;
        }
        const event = step.value;
        if (event.type === "error") {
          fail(controller, event.failure);
          return;
        }
        if (event.type === "done") {
          if (opts.includeUsage && !usage) {
            controller.enqueue(
              sseData(
                chunkObject({ id, created, model: opts.model, usage: opts.countUsage(text) }),
              ),
            );
          }
          controller.enqueue(SSE_DONE);
          controller.close();
          end("complete");
          return;
        }
        const bytes = render(event.chunk);
        if (bytes) {
          controller.enqueue(bytes);
          return;
        }
      }
    },
    cancel() {
      cancelled = true;
      const drain = opts.drain;
      if (finished === "done") {
        end("cancelled", undefined, true);
        return;
      }
      if (!drain || drain.maxMs <= 0 || finished !== null) {
        stopUpstream();
        end("cancelled", undefined, false);
        return;
      }
      // Already held open by the waitUntil registered at the start, which ends with end().
      void drainRest(drain.maxMs).then((drained) => {
        if (!drained) stopUpstream();
        end("cancelled", undefined, drained);
      });
    },
  });
}
