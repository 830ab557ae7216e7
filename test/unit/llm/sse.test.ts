import { describe, expect, it } from "vitest";
import { parseSse, sseData, sseError, SSE_DONE } from "../../../shared/llm/sse.js";
import { body, collect } from "./stream-bodies.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe("parseSse", () => {
  it("handles LF, CRLF and CR line ends, also when a CRLF is split across reads", async () => {
    const messages = await collect(parseSse(body(["data: a\r", "\n\r\ndata: b\r\rdata: c\n\n"])));
    expect(messages).toEqual([
      { event: null, data: "a" },
      { event: null, data: "b" },
      { event: null, data: "c" },
    ]);
  });

  it("splits many events of one read, whatever mix of line ends they use", async () => {
    const ends = ["\n\n", "\r\n\r\n", "\r\r", "\n\r\n"];
    const text = Array.from({ length: 40 }, (_, i) => `data: m${i}${ends[i % 4] ?? ""}`).join("");
    const messages = await collect(parseSse(body([text])));
    expect(messages.map((m) => m.data)).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`));
  });

  it("joins multi-line data, keeps the event name, ignores comments and unknown fields", async () => {
    const text = ": keep-alive\nevent: note\ndata: one\ndata:two\nid: 7\nretry: 10\n\n";
    expect(await collect(parseSse(body([text])))).toEqual([{ event: "note", data: "one\ntwo" }]);
  });

  it("decodes a multi-byte character split across reads", async () => {
    const bytes = encoder.encode("data: héllo\n\n");
    const split = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 8));
        controller.enqueue(bytes.subarray(8));
        controller.close();
      },
    });
    expect(await collect(parseSse(split))).toEqual([{ event: null, data: "héllo" }]);
  });

  it("dispatches a final message that lacks its blank line", async () => {
    expect(await collect(parseSse(body(["data: [DONE]"])))).toEqual([
      { event: null, data: "[DONE]" },
    ]);
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
