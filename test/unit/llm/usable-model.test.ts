import { describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "../../../shared/llm/catalog.js";
import { usableModel } from "../../../shared/llm/usable-model.js";

const localOnly = new Set(["local"] as const);
const both = new Set(["local", "openai"] as const);

describe("usableModel", () => {
  it("accepts a catalog model of the asked kind whose provider is configured", () => {
    const chat = usableModel("gpt-4o-mini", "chat", DEFAULT_CATALOG, both);
    expect(chat.ok && chat.model.id).toBe("gpt-4o-mini");
    const embed = usableModel("local-hash-embed", "embedding", DEFAULT_CATALOG, localOnly);
    expect(embed.ok && embed.model.kind).toBe("embedding");
  });

  it("refuses an id outside the catalog, or of the other kind, as unknown", () => {
    expect(usableModel("nope", "chat", DEFAULT_CATALOG, both)).toEqual({
      ok: false,
      reason: "unknown",
      message: 'unknown model "nope"',
    });
    expect(usableModel("gpt-4o-mini", "embedding", DEFAULT_CATALOG, both)).toEqual({
      ok: false,
      reason: "unknown",
      message: 'unknown embedding model "gpt-4o-mini"',
    });
  });

  it("refuses a model whose provider this deployment has not configured", () => {
    const checked = usableModel("text-embedding-3-small", "embedding", DEFAULT_CATALOG, localOnly);
    expect(checked).toMatchObject({ ok: false, reason: "provider" });
    expect(checked.ok ? "" : checked.message).toMatch(/needs the openai provider/);
  });
});
