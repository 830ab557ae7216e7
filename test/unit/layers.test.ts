// The folders of shared/ depend on each other one way: vector math, text handling and token
// counting sit below llm/, and llm/ sits below rag/. A file that imports upward would bring back a
// cycle, so besides the named rules the folder graph and the file graph must stay acyclic.
// shared/ never reaches into workers/ or the Cloudflare runtime: it takes ports. In workers/, the
// Durable Objects sit below the request path (they import no route, HTTP, limit, cache or tenancy
// glue), and only the router imports route handlers.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SHARED = join(import.meta.dirname, "../../shared");
const WORKERS = join(import.meta.dirname, "../../workers");

/** Each folder and the shared/ folders it must never import. */
const FORBIDDEN: Record<string, string[]> = {
  vector: ["text", "tokens", "llm", "rag"],
  text: ["vector", "tokens", "llm", "rag"],
  tokens: ["llm", "rag"],
  llm: ["rag"],
};

interface Import {
  file: string;
  /** The specifier as written. */
  spec: string;
  /** For a relative specifier, the first path segment under shared/ (a folder, or a root file). */
  target: string;
}

// `from "x"` (imports and re-exports), `import "x"` (side effects) and `import("x")` (types).
const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g;

/** Every import of the .ts files in `folder` of `root` ("" for all of it), relative to `root`. */
function importsOf(folder: string, root = SHARED): Import[] {
  const out: Import[] = [];
  for (const name of readdirSync(join(root, folder), { recursive: true })) {
    const file = join(root, folder, String(name));
    if (!file.endsWith(".ts")) continue;
    const source = readFileSync(file, "utf8");
    for (const m of source.matchAll(SPECIFIER)) {
      const spec = m[1] ?? "";
      const target = spec.startsWith(".")
        ? (relative(root, join(file, "..", spec)).split("/")[0] ?? "")
        : "";
      out.push({ file: relative(root, file), spec, target });
    }
  }
  return out;
}

/** The folder graph of shared/: which folders each folder's files import (root files left out). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const i of importsOf("")) {
    const from = i.file.split("/")[0] ?? "";
    // Root files (ports.ts) sit below every folder; ".." leaves shared/ (its own test below).
    const isFolder = /^[a-z-]+$/.test(i.target);
    if (!i.file.includes("/") || !isFolder || i.target === from) continue;
    const edges = graph.get(from) ?? new Set<string>();
    edges.add(i.target);
    graph.set(from, edges);
  }
  return graph;
}

/** The file graph of shared/: which of its files each file imports. */
function fileGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const i of importsOf("")) {
    if (!i.spec.startsWith(".")) continue;
    const target = relative(SHARED, join(SHARED, i.file, "..", i.spec)).replace(/\.js$/, ".ts");
    const edges = graph.get(i.file) ?? new Set<string>();
    edges.add(target);
    graph.set(i.file, edges);
  }
  return graph;
}

/** Each cycle found by a depth-first walk, as the path that closes it (e.g. `a -> b -> a`). */
function cyclesOf(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const cycles: string[] = [];
  const done = new Set<string>();
  const walk = (node: string, path: string[]): void => {
    const at = path.indexOf(node);
    if (at >= 0) {
      cycles.push([...path.slice(at), node].join(" -> "));
      return;
    }
    if (done.has(node)) return;
    for (const next of [...(graph.get(node) ?? [])].sort()) walk(next, [...path, node]);
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) walk(node, []);
  return cycles;
}

describe("shared/ layers", () => {
  for (const [folder, forbidden] of Object.entries(FORBIDDEN)) {
    it(`${folder}/ imports none of ${forbidden.join(", ")}`, () => {
      const upward = importsOf(folder).filter((i) => forbidden.includes(i.target));
      expect(upward).toEqual([]);
    });
  }

  it("has no cycle between its folders", () => {
    expect(cyclesOf(folderGraph())).toEqual([]);
  });

  it("has no cycle between its files, type imports included", () => {
    expect(cyclesOf(fileGraph())).toEqual([]);
  });

  it("never imports workers/ or the Cloudflare runtime", () => {
    const outside = importsOf("").filter(
      (i) => i.spec.startsWith("cloudflare:") || i.target === "..",
    );
    expect(outside).toEqual([]);
  });

  it("sees the imports it checks (llm/ imports vector/, text/ and tokens/; rag/ imports llm/)", () => {
    const graph = folderGraph();
    expect([...(graph.get("llm") ?? [])]).toEqual(
      expect.arrayContaining(["vector", "text", "tokens"]),
    );
    expect(graph.get("rag")?.has("llm")).toBe(true);
  });

  it("finds a cycle through any number of folders, and none in a one-way graph", () => {
    const graph = (edges: Record<string, string[]>) =>
      new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));
    expect(cyclesOf(graph({ llm: ["tokens"], tokens: ["llm"] }))).toEqual(["llm -> tokens -> llm"]);
    expect(cyclesOf(graph({ rag: ["llm"], llm: ["tokens"], tokens: ["rag"] }))).toEqual([
      "llm -> tokens -> rag -> llm",
    ]);
    expect(cyclesOf(graph({ rag: ["llm", "tokens"], llm: ["tokens"], tokens: [] }))).toEqual([]);
  });
});

describe("workers/ layers", () => {
  it("do/ imports none of routes, http, limits, cache or tenancy", () => {
    const glue = ["routes", "http", "limits", "cache", "tenancy"];
    const upward = importsOf("do", WORKERS).filter((i) => glue.includes(i.target));
    expect(upward).toEqual([]);
  });

  it("only the router imports route handlers", () => {
    const importers = importsOf("", WORKERS)
      .filter((i) => i.target === "routes" && !i.file.startsWith("routes/"))
      .map((i) => i.file);
    expect([...new Set(importers)]).toEqual(["router.ts"]);
  });
});
