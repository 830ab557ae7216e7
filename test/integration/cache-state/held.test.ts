// CACHE_STATE_TTL_MS held far longer than any test runs (this project's setting), so only what
// the design promises can move the isolate's cache state: its own writes and purges at once, and
// a cache miss's own search. A write from elsewhere is not seen before one of those (or the TTL):
// that is the documented bound on staleness.
import { describe, expect, it } from "vitest";
import {
  chat,
  deleteElsewhere,
  ingest,
  purge,
  purgeAnswersElsewhere,
  purgeChatElsewhere,
  query,
} from "./helpers.js";

describe("held cache state: this isolate's writes are seen at once", () => {
  it("a document update made here is never served stale", async () => {
    await ingest([{ id: "held-own", text: "The held retention period is 30 days." }]);
    const q = "What is the held retention period?";
    const first = await query(q);
    expect(first.body.cache).toBe("MISS");
    expect((await query(q)).body.cache).toBe("HIT-MEMORY");
    await ingest([{ id: "held-own", text: "The held retention period is 90 days." }]);
    const after = await query(q);
    expect(after.body.cache).toBe("MISS");
    expect(after.body.index_version).toBeGreaterThan(first.body.index_version);
    expect(after.body.sources[0]?.text).toContain("90 days");
  });

  it("a purge made here empties the answer and chat caches at once", async () => {
    await ingest([{ id: "held-purge", text: "The held purge animal is an otter." }]);
    const q = "What is the held purge animal?";
    expect((await query(q)).body.cache).toBe("MISS");
    expect((await query(q)).body.cache).toBe("HIT-MEMORY");
    expect(await chat("held chat: what is an otter?")).toBe("MISS");
    expect(await chat("held chat: what is an otter?")).toBe("HIT-MEMORY");
    expect((await purge({ tiers: ["memory"] })).status).toBe(200);
    expect((await query(q)).body.cache).not.toBe("HIT-MEMORY");
    expect(await chat("held chat: what is an otter?")).not.toBe("HIT-MEMORY");
  });
});

describe("held cache state: writes from elsewhere", () => {
  it("are seen once a cache miss's own search brings the new version", async () => {
    await ingest([{ id: "held-far", text: "The held far codeword is cobalt-lynx." }]);
    const q = "What is the held far codeword?";
    expect((await query(q)).body.cache).toBe("MISS");
    await deleteElsewhere("held-far");
    // Within the bound the isolate still keys on the version it holds...
    expect((await query(q)).body.cache).toBe("HIT-MEMORY");
    // ...until any miss searches the index, whose answer carries the new version.
    expect((await query("Which question has never been asked here before?")).body.cache).toBe(
      "MISS",
    );
    const after = await query(q);
    expect(after.body.cache).toBe("MISS");
    expect(after.body.sources.map((s) => s.id)).not.toContain("held-far");
  });

  it("a purge from elsewhere is not seen within the bound (answers and chat alike)", async () => {
    await ingest([{ id: "held-far-purge", text: "The held far purge bird is a wren." }]);
    const q = "What is the held far purge bird?";
    expect((await query(q)).body.cache).toBe("MISS");
    expect(await chat("held chat: what is a wren?")).toBe("MISS");
    await purgeAnswersElsewhere();
    await purgeChatElsewhere();
    expect((await query(q)).body.cache).toBe("HIT-MEMORY");
    expect(await chat("held chat: what is a wren?")).toBe("HIT-MEMORY");
  });
});
