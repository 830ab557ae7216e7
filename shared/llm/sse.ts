// Server-Sent Events, both ways: an incremental parser of an upstream byte stream into messages,
// and the events the gateway writes to its clients (a JSON `data:` event, `[DONE]`, an error).
// What the messages of a chat-completion stream mean is ./chat-chunks.

/** One dispatched SSE message. */
export interface SseMessage {
  event: string | null;
  data: string;
}

/**
 * An incremental SSE parser by the WHATWG rules: LF, CRLF or CR line ends (also split across
 * reads), `data:` lines joined with "\n", `event:`, comments and unknown fields ignored, one
 * leading space stripped from values. `push` takes the next bytes (null at the end of the stream)
 * and returns the messages they completed; at the end, a message still pending is dispatched (a
 * final `data: [DONE]` without its blank line is common). Synchronous, so a reader of chunks
 * pays for one async step per read, not one per parsed message.
 */
export function sseParser(): { push(bytes: Uint8Array | null): SseMessage[] } {
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  let event: string | null = null;
  const take = (line: string): SseMessage | null => {
    if (line === "") {
      const message = data.length > 0 ? { event, data: data.join("\n") } : null;
      data = [];
      event = null;
      return message;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    return null;
  };
  return {
    push(bytes) {
      const done = bytes === null;
      buffer += done ? decoder.decode() : decoder.decode(bytes, { stream: true });
      const out: SseMessage[] = [];
      let start = 0;
      // Each line end is searched for once per push (a search that finds none is not repeated
      // for every line: upstreams send LF only, and a read can hold many events).
      let cr = buffer.indexOf("\r");
      let lf = buffer.indexOf("\n");
      for (;;) {
        if (cr !== -1 && cr < start) cr = buffer.indexOf("\r", start);
        if (lf !== -1 && lf < start) lf = buffer.indexOf("\n", start);
        const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
        if (end === -1) break;
        // A CR at the very end may be half of a CRLF: wait for the next read to decide.
        if (end === cr && end === buffer.length - 1 && !done) break;
        const line = buffer.slice(start, end);
        start = end + (end === cr && buffer[end + 1] === "\n" ? 2 : 1);
        const message = take(line);
        if (message) out.push(message);
      }
      buffer = buffer.slice(start);
      if (done) {
        if (buffer !== "") take(buffer);
        buffer = "";
        const pending = take("");
        if (pending) out.push(pending);
      }
      return out;
    },
  };
}

const encoder = new TextEncoder();

/** One `data:` event with a JSON payload. */
export function sseData(value: unknown): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(value)}\n\n`);
}

/** The terminal marker of a complete stream. */
export const SSE_DONE: Uint8Array = encoder.encode("data: [DONE]\n\n");

/**
 * The event that ends a failed stream, in the shape OpenAI uses mid-stream (`{"error": {...}}`,
 * which the official SDKs raise as an error). No `[DONE]` follows it.
 */
export function sseError(message: string, code: string): Uint8Array {
  return sseData({ error: { message, type: "api_error", code, param: null } });
}
