// Upload batches stay within the server's document count and body size.
import { describe, expect, it } from "vitest";
import { BatchPacker, DEFAULT_LIMITS, documentBytes } from "../../../cli/ingest/batches.js";

function pack<T>(docs: T[], packer: BatchPacker<T>): T[][] {
  const out: T[][] = [];
  for (const d of docs) {
    const b = packer.add(d);
    if (b) out.push(b);
  }
  const last = packer.flush();
  if (last) out.push(last);
  return out;
}

describe("BatchPacker", () => {
  it("cuts batches at the document limit", () => {
    const docs = Array.from({ length: 250 }, (_, i) => ({ id: `d${i}`, text: "x" }));
    const sizes = pack(docs, new BatchPacker(DEFAULT_LIMITS)).map((b) => b.length);
    expect(sizes).toEqual([100, 100, 50]);
  });

  it("cuts batches before the body would pass the byte limit", () => {
    const docs = Array.from({ length: 10 }, (_, i) => ({ id: `d${i}`, text: "é".repeat(300) }));
    const limit = documentBytes(docs[0]) * 3 + 5;
    const batches = pack(docs, new BatchPacker({ maxDocuments: 100, maxBytes: limit }));
    expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
    for (const b of batches) {
      expect(b.reduce((n, d) => n + documentBytes(d), 0)).toBeLessThanOrEqual(limit);
    }
  });

  it("gives an oversized document a batch of its own and keeps order", () => {
    const docs = [{ t: "a" }, { t: "b".repeat(1000) }, { t: "c" }];
    const batches = pack(docs, new BatchPacker({ maxDocuments: 100, maxBytes: 100 }));
    expect(batches.map((b) => b.map((d) => d.t[0]))).toEqual([["a"], ["b"], ["c"]]);
  });

  it("measures UTF-8 bytes, not characters", () => {
    expect(documentBytes({ t: "é" })).toBe(Buffer.byteLength('{"t":"é"}') + 1);
  });
});
