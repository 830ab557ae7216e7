// CACHE_STATE_TTL_MS=0 (this project's setting): every lookup reads the cache state, so writes and
// purges made anywhere else are seen by the very next request, as before the state was held.
import { describe, expect, it } from "vitest";
import {
  chat,
  deleteElsewhere,
  ingest,
  purgeAnswersElsewhere,
  purgeChatElsewhere,
  query,
} from "./helpers.js";

describe("CACHE_STATE_TTL_MS=0: strictly consistent", () => {
  it("a document deleted elsewhere is never cited by the next answer", async () => {
    await ingest([{ id: "strict-doc", text: "The strict codeword is amber-heron." }]);
    const q = "What is the strict codeword?";
    expect((await query(q)).body.cache).toBe("MISS");
    expect((await query(q)).body.cache).toBe("HIT-MEMORY");
    await deleteElsewhere("strict-doc");
    const after = await query(q);
    expect(after.body.cache).toBe("MISS");
    expect(after.body.sources.map((s) => s.id)).not.toContain("strict-doc");
  });

  it("an answer purge made elsewhere is honoured by the next lookup", async () => {
    await ingest([{ id: "strict-purge", text: "The strict purge colour is teal." }]);
    const q = "What is the strict purge colour?";
    expect((await query(q)).body.cache).toBe("MISS");
    expect((await query(q)).body.cache).toBe("HIT-MEMORY");
    await purgeAnswersElsewhere();
    expect((await query(q)).body.cache).toBe("MISS");
  });

  it("a chat purge made elsewhere is honoured by the next completion", async () => {
    expect(await chat("strict chat: what is a purge epoch?")).toBe("MISS");
    expect(await chat("strict chat: what is a purge epoch?")).toBe("HIT-MEMORY");
    await purgeChatElsewhere();
    expect(await chat("strict chat: what is a purge epoch?")).toBe("MISS");
  });
});
