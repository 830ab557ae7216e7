// Ids from paths: stable, inside the server's alphabet and length, never colliding.
import { describe, expect, it } from "vitest";
import { DocumentIdSchema } from "../../../shared/api/schemas.js";
import { documentIdFor, MAX_ID_LENGTH } from "../../../cli/ingest/document-id.js";

describe("documentIdFor", () => {
  it("uses a path that is already a valid id as it is, with the prefix", () => {
    expect(documentIdFor("guides/intro.md")).toBe("guides/intro.md");
    expect(documentIdFor("guides/intro.md", "handbook/")).toBe("handbook/guides/intro.md");
    expect(documentIdFor("win\\style\\path.txt")).toBe("win/style/path.txt");
  });

  it("rewrites other characters and adds a hash so rewritten paths never collide", () => {
    const a = documentIdFor("notes/été 1.txt");
    const b = documentIdFor("notes/_t__1.txt");
    const c = documentIdFor("notes/ét_ 1.txt");
    expect(a).toMatch(/^notes\/_t__1\.txt~[0-9a-f]{8}$/);
    expect(new Set([a, b, c]).size).toBe(3);
    expect(documentIdFor("notes/été 1.txt")).toBe(a);
  });

  it("keeps long paths within the limit, distinct and valid", () => {
    const long1 = documentIdFor(`${"d/".repeat(200)}one.md`);
    const long2 = documentIdFor(`${"d/".repeat(200)}two.md`);
    expect(long1.length).toBeLessThanOrEqual(MAX_ID_LENGTH);
    expect(long1).not.toBe(long2);
    for (const id of [long1, long2, documentIdFor("a b/c#d?.md"), documentIdFor("日本.md")]) {
      expect(DocumentIdSchema.safeParse(id).success).toBe(true);
    }
  });
});
