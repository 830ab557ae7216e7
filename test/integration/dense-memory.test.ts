// The INDEX object's resident search state: binary codes per embedding model, kept in step by
// writes. Pins that a write, a replacement, a delete and a clear change dense results at once,
// with no reload from SQLite (the memory's full-load counter stays put), and that filters hold.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callJson } from "./helpers.js";

interface QueryBody {
  sources: Array<{ id: string; text: string; score: number }>;
}

const index = () => env.INDEX.get(env.INDEX.idFromName("main"));

/** The heap state of the INDEX object, read inside it. */
async function memoryState(): Promise<{ fullLoads: number; codes: number; chunks: number }> {
  return runInDurableObject(index(), (instance) => ({
    fullLoads: instance["memory"].fullLoads,
    codes: instance["memory"].denseResident().codes,
    chunks: instance.stats().chunks,
  }));
}

async function ingest(documents: unknown[]): Promise<void> {
  const res = await callJson("POST", "/v1/documents", { body: { documents } });
  expect(res.status).toBe(200);
}

/** Dense-only retrieval, never from the answer cache: the ids and texts it ranks. */
async function dense(query: string, extra: Record<string, unknown> = {}): Promise<QueryBody> {
  const res = await callJson<QueryBody>("POST", "/v1/query", {
    body: { query, retrieval: "dense", use_cache: false, k: 5, ...extra },
  });
  expect(res.status).toBe(200);
  return res.body;
}

describe("dense search over the resident binary codes", () => {
  it("finds a new document at once after a write, without reloading from storage", async () => {
    await ingest([
      { id: "dm-orchard", text: "Apple orchards bloom in spring; the blossoms need bees." },
      { id: "dm-harbour", text: "Container ships unload at the harbour cranes overnight." },
    ]);
    expect((await dense("apple orchard blossoms bees")).sources[0]?.id).toBe("dm-orchard");
    const built = await memoryState();
    expect(built.codes).toBe(built.chunks);

    await ingest([
      { id: "dm-glacier", text: "Glaciers carve fjords as the ice sheet grinds over bedrock." },
    ]);
    const found = await dense("glacier ice carving fjords bedrock");
    expect(found.sources[0]?.id).toBe("dm-glacier");
    const after = await memoryState();
    expect(after.fullLoads).toBe(built.fullLoads);
    expect(after.codes).toBe(after.chunks);
  });

  it("serves a replaced document's new chunks and none of its old ones, without a reload", async () => {
    await ingest([{ id: "dm-swap", text: "The lighthouse keeper trims the lamp wick nightly." }]);
    expect((await dense("lighthouse keeper lamp wick")).sources[0]?.id).toBe("dm-swap");
    const before = await memoryState();

    await ingest([{ id: "dm-swap", text: "Volcanic basalt columns cool into hexagons." }]);
    const fresh = await dense("volcanic basalt hexagon columns");
    expect(fresh.sources[0]?.id).toBe("dm-swap");
    expect(fresh.sources[0]?.text).toContain("basalt");
    const stale = await dense("lighthouse keeper lamp wick");
    const swapTexts = stale.sources.filter((s) => s.id === "dm-swap").map((s) => s.text);
    expect(swapTexts.join(" ")).not.toContain("lighthouse");
    const after = await memoryState();
    expect(after.fullLoads).toBe(before.fullLoads);
    expect(after.codes).toBe(after.chunks);
  });

  it("drops a deleted document's chunks from dense results, without a reload", async () => {
    await ingest([
      { id: "dm-gone", text: "Saffron threads are hand-picked from crocus flowers." },
      { id: "dm-stays", text: "Cinnamon bark is rolled into quills and dried." },
    ]);
    expect((await dense("saffron crocus threads")).sources[0]?.id).toBe("dm-gone");
    const before = await memoryState();

    expect((await callJson("DELETE", "/v1/documents/dm-gone")).status).toBe(200);
    const after = await dense("saffron crocus threads");
    expect(after.sources.map((s) => s.id)).not.toContain("dm-gone");
    expect(after.sources.length).toBeGreaterThan(0);
    expect((await memoryState()).fullLoads).toBe(before.fullLoads);
  });

  it("applies metadata filters in the binary pass, for writes made after it was built", async () => {
    await ingest([{ id: "dm-seed", text: "Seed document so the codes exist before the write." }]);
    await dense("seed document");
    const before = await memoryState();
    await ingest([
      { id: "dm-tea-en", text: "Green tea steeps at eighty degrees.", metadata: { dm: "en" } },
      { id: "dm-tea-de", text: "Grüner Tee zieht bei achtzig Grad.", metadata: { dm: "de" } },
    ]);
    const de = await dense("green tea steeps eighty degrees", { filter: { dm: "de" } });
    expect(de.sources.map((s) => s.id)).toEqual(["dm-tea-de"]);
    const en = await dense("green tea steeps eighty degrees", { filter: { dm: "en" } });
    expect(en.sources.map((s) => s.id)).toEqual(["dm-tea-en"]);
    expect((await memoryState()).fullLoads).toBe(before.fullLoads);
  });

  it("builds past the centre sample by streaming, and ranks a stored vector first among 1,100", async () => {
    const dims = 64;
    const random = seeded(14);
    const vectorOf = (): Float32Array => Float32Array.from({ length: dims }, () => random() - 0.3);
    const stored: Float32Array[] = [];
    const docs = Array.from({ length: 11 }, (_, d) => ({
      id: `dm-syn-${d}`,
      title: `synthetic ${d}`,
      source: "test",
      metadata: {},
      text: "synthetic",
      contentHash: `h${d}`,
      embeddingModel: "dm-synthetic",
      chunks: Array.from({ length: 100 }, (_, ordinal) => {
        const vector = vectorOf();
        stored.push(vector);
        return { ordinal, text: `zq${d}x${ordinal}`, tokens: 1, vector: toBuffer(vector) };
      }),
    }));
    await index().upsert(docs);
    const search = async (vector: Float32Array) =>
      (
        await index().search({
          text: "",
          vector: toBuffer(vector),
          embeddingModel: "dm-synthetic",
          k: 3,
          mode: "dense",
        })
      ).chunks.map((c) => c.chunkId);
    for (const n of [0, 517, 1099]) {
      const vector = stored[n] ?? new Float32Array(dims);
      expect((await search(vector))[0]).toBe(`dm-syn-${Math.floor(n / 100)}#${n % 100}`);
    }
    const built = await runInDurableObject(index(), (instance) => ({
      fullLoads: instance["memory"].fullLoads,
      codes: instance["memory"].denseIndex("dm-synthetic", dims)?.size,
    }));
    expect(built.codes).toBe(1100);

    const late = vectorOf();
    await index().upsert([
      {
        id: "dm-syn-late",
        title: "synthetic late",
        source: "test",
        metadata: {},
        text: "synthetic",
        contentHash: "late",
        embeddingModel: "dm-synthetic",
        chunks: [{ ordinal: 0, text: "zqlate", tokens: 1, vector: toBuffer(late) }],
      },
    ]);
    expect((await search(late))[0]).toBe("dm-syn-late#0");
    expect((await memoryState()).fullLoads).toBe(built.fullLoads);
  });

  it("forgets every code when the index is cleared, and builds again from the next write", async () => {
    await ingest([{ id: "dm-count", text: "Counting chunks against resident codes." }]);
    await dense("counting chunks");
    expect((await memoryState()).codes).toBeGreaterThan(0);

    const cleared = await runInDurableObject(index(), (instance) => {
      instance["documents"].clear();
      return { chunks: instance.stats().chunks, resident: instance["memory"].denseResident() };
    });
    expect(cleared).toEqual({ chunks: 0, resident: { codes: 0, bytes: 0 } });
    expect((await dense("counting chunks")).sources).toEqual([]);

    await ingest([{ id: "dm-after", text: "Written after the clear, found after the clear." }]);
    expect((await dense("written after the clear")).sources.map((s) => s.id)).toEqual(["dm-after"]);
  });
});

/** A deterministic generator of numbers in [0, 1). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function toBuffer(vector: Float32Array): ArrayBuffer {
  return vector.slice().buffer;
}
