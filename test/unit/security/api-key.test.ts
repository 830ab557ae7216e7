import { describe, expect, it } from "vitest";
import {
  crc32,
  generateApiKey,
  hashApiKey,
  isKeyId,
  keyFormatOf,
  keyIdOf,
} from "../../../shared/security/api-key.js";

describe("API keys", () => {
  it("carry their key id, so the principal is known without a lookup", () => {
    const { id, key } = generateApiKey();
    expect(id).toMatch(/^key_[0-9a-f]{24}$/);
    expect(key).toMatch(/^rgw_[0-9a-f]{24}_[0-9A-Za-z]{49}$/);
    expect(keyIdOf(key)).toBe(id);
    expect(keyFormatOf(key)).toEqual({ kind: "key", id });
    expect(isKeyId(id)).toBe(true);
  });

  it("are unique and unguessable (256-bit secrets)", () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey().key));
    expect(keys.size).toBe(200);
  });

  it("end in a CRC32 checksum that catches every single-character change", () => {
    const { key } = generateApiKey();
    const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    // Every position after the id's underscore, every other base62 character.
    for (let at = 29; at < key.length; at++) {
      for (const c of alphabet) {
        if (c === key[at]) continue;
        const changed = `${key.slice(0, at)}${c}${key.slice(at + 1)}`;
        expect(keyFormatOf(changed).kind, changed).toBe("bad_checksum");
      }
    }
  });

  it("refuse random forgeries by checksum (about 1 in 4 billion passes)", () => {
    let passed = 0;
    for (let i = 0; i < 2_000; i++) {
      const { key } = generateApiKey();
      const forged = `${key.slice(0, -6)}${generateApiKey().key.slice(-6)}`;
      if (forged !== key && keyFormatOf(forged).kind === "key") passed++;
    }
    expect(passed).toBe(0);
  });

  it("accept keys minted before checksums as legacy", () => {
    const legacy = `rgw_0123456789abcdef01234567_${"a-_Z".repeat(10)}xyz`;
    expect(keyFormatOf(legacy)).toEqual({ kind: "legacy", id: "key_0123456789abcdef01234567" });
    expect(keyIdOf(legacy)).toBe("key_0123456789abcdef01234567");
  });

  it.each([
    ["", "foreign"],
    ["sk-abc", "foreign"],
    ["unused-locally", "foreign"],
    ["rgw_", "bad_checksum"],
    ["rgw_0123456789abcdef01234567_short", "bad_checksum"],
    ["rgw_0123456789ABCDEF01234567_" + "a".repeat(43), "bad_checksum"],
    ["rgw_0123456789abcdef01234567_" + "a".repeat(44), "bad_checksum"],
    [" rgw_0123456789abcdef01234567_" + "a".repeat(43), "foreign"],
  ])("classifies %j as %s", (key, kind) => {
    expect(keyFormatOf(key).kind).toBe(kind);
    expect(keyIdOf(key)).toBeNull();
  });

  it("compute CRC-32 as zlib does", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  it("are stored as the SHA-256 hex of the whole key", async () => {
    expect(await hashApiKey("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});
