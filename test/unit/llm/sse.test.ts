import { describe, expect, it } from "vitest";
import {
  sseData,
  sseError,
  sseParser,
  SSE_DONE,
  type SseMessage,
} from "../../../shared/llm/sse.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The messages of a stream that arrives in `reads`, then ends. */
function parse(reads: (string | Uint8Array)[]): SseMessage[] {
  const parser = sseParser();
  const out: SseMessage[] = [];
  for (const read of reads) {
    out.push(...parser.push(typeof read === "string" ? encoder.encode(read) : read));
  }
  return [...out, ...parser.push(null)];
}

describe("sseParser", () => {
  it("handles LF, CRLF and CR line ends, also when a CRLF is split across reads", () => {
    const messages = parse(["data: a\r", "\n\r\ndata: b\r\rdata: c\n\n"]);
    expect(messages).toEqual([
      { event: null, data: "a" },
      { event: null, data: "b" },
      { event: null, data: "c" },
    ]);
  });

  it("splits many events of one read, whatever mix of line ends they use", () => {
    const ends = ["\n\n", "\r\n\r\n", "\r\r", "\n\r\n"];
    const text = Array.from({ length: 40 }, (_, i) => `data: m${i}${ends[i % 4] ?? ""}`).join("");
    const messages = parse([text]);
    expect(messages.map((m) => m.data)).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`));
  });

  it("joins multi-line data, keeps the event name, ignores comments and unknown fields", () => {
    const text = ": keep-alive\nevent: note\ndata: one\ndata:two\nid: 7\nretry: 10\n\n";
    expect(parse([text])).toEqual([{ event: "note", data: "one\ntwo" }]);
  });

  it("decodes a multi-byte character split across reads", () => {
    const bytes = encoder.encode("data: héllo\n\n");
    expect(parse([bytes.subarray(0, 8), bytes.subarray(8)])).toEqual([
      { event: null, data: "héllo" },
    ]);
  });

  it("dispatches a final message that lacks its blank line", () => {
    expect(parse(["data: [DONE]"])).toEqual([{ event: null, data: "[DONE]" }]);
  });
});

describe("serialization", () => {
  it("writes data events, the [DONE] marker and OpenAI's mid-stream error shape", () => {
    expect(decoder.decode(sseData({ a: 1 }))).toBe('data: {"a":1}\n\n');
    expect(decoder.decode(SSE_DONE)).toBe("data: [DONE]\n\n");
    expect(JSON.parse(decoder.decode(sseError("cut", "stream_truncated")).slice(6))).toEqual({
      error: { message: "cut", type: "api_error", code: "stream_truncated", param: null },
    });
  });
});
