import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../../shared/api/list-cursor.js";

describe("list cursors", () => {
  it.each(["a", "undici/docs/api/ProxyAgent.md", "naïve ☃ id", "x+y=z"])(
    "round-trips %s through a URL-safe cursor",
    (id) => {
      const cursor = encodeCursor(id);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(cursor)).toBe(id);
    },
  );

  it.each(["", "not*a*cursor", "a", "/w==", "_-8"])("refuses %j", (cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });
});
