import { describe, expect, it } from "vitest";
import { generateApiKey, hashApiKey, isKeyId, keyIdOf } from "../../../shared/security/api-key.js";

describe("API keys", () => {
  it("carry their key id, so the principal is known without a lookup", () => {
    const { id, key } = generateApiKey();
    expect(id).toMatch(/^key_[0-9a-f]{24}$/);
    expect(key).toMatch(/^rgw_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
    expect(keyIdOf(key)).toBe(id);
    expect(isKeyId(id)).toBe(true);
  });

  it("are unique and unguessable (256-bit secrets)", () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey().key));
    expect(keys.size).toBe(200);
  });

  it.each([
    "",
    "rgw_",
    "sk-abc",
    "rgw_0123456789abcdef01234567_short",
    "rgw_0123456789ABCDEF01234567_" + "a".repeat(43),
    "rgw_0123456789abcdef01234567_" + "a".repeat(44),
    " rgw_0123456789abcdef01234567_" + "a".repeat(43),
  ])("rejects the malformed key %j", (key) => {
    expect(keyIdOf(key)).toBeNull();
  });

  it("are stored as the SHA-256 hex of the whole key", async () => {
    expect(await hashApiKey("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});
