// The folders of shared/ depend on each other one way: vector math and text handling sit below
// llm/, and llm/ sits below rag/. A file that imports upward would bring back the cycle.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SHARED = join(import.meta.dirname, "../../shared");

/** Each folder and the shared/ folders it must never import. */
const FORBIDDEN: Record<string, string[]> = {
  vector: ["text", "llm", "rag"],
  text: ["vector", "llm", "rag"],
  llm: ["rag"],
};

function importsOf(folder: string): Array<{ file: string; target: string }> {
  const out: Array<{ file: string; target: string }> = [];
  for (const name of readdirSync(join(SHARED, folder), { recursive: true })) {
    const file = join(SHARED, folder, String(name));
    if (!file.endsWith(".ts")) continue;
    const source = readFileSync(file, "utf8");
    for (const m of source.matchAll(/from\s+"(\.\.?\/[^"]+)"/g)) {
      const spec = m[1] ?? "";
      const target = relative(SHARED, join(file, "..", spec)).split("/")[0] ?? "";
      out.push({ file: relative(SHARED, file), target });
    }
  }
  return out;
}

describe("shared/ layers", () => {
  for (const [folder, forbidden] of Object.entries(FORBIDDEN)) {
    it(`${folder}/ imports none of ${forbidden.join(", ")}`, () => {
      const upward = importsOf(folder).filter((i) => forbidden.includes(i.target));
      expect(upward).toEqual([]);
    });
  }

  it("sees the imports it checks (llm/ does import vector/ and text/)", () => {
    const targets = new Set(importsOf("llm").map((i) => i.target));
    expect(targets.has("vector")).toBe(true);
    expect(targets.has("text")).toBe(true);
  });
});
