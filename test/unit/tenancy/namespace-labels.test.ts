import { describe, expect, it } from "vitest";
import { foldNamespaces } from "../../../shared/tenancy/namespace-labels.js";

const row = (namespace: string, documents: number) => ({
  namespace,
  documents,
  chunks: 2 * documents,
});

describe("foldNamespaces", () => {
  it("keeps the first max namespaces by name and sums the rest under other", () => {
    const rows = [row("default", 1), row("a", 2), row("b", 3), row("c", 4)];
    expect(foldNamespaces(rows, 2)).toEqual([
      row("default", 1),
      row("a", 2),
      { namespace: "other", documents: 7, chunks: 14 },
    ]);
  });

  it("adds no other row when every namespace fits", () => {
    expect(foldNamespaces([row("default", 1)], 20)).toEqual([row("default", 1)]);
  });
});
