import { describe, expect, it } from "vitest";
import { foldEntries } from "../../../shared/metrics/fold-entries.js";

describe("foldEntries", () => {
  it("adds a series' increments across flushes, and keys series by name and labels in any order", () => {
    const changes = foldEntries([
      [{ name: "hits", labels: { route: "/a", status: "200" }, value: 2 }],
      [
        { name: "hits", labels: { status: "200", route: "/a" }, value: 3 },
        { name: "hits", labels: { route: "/b", status: "200" }, value: 1 },
      ],
    ]);
    expect(changes.map((c) => [c.key, c.set, c.add])).toEqual([
      ['hits{route="/a",status="200"}', null, 5],
      ['hits{route="/b",status="200"}', null, 1],
    ]);
  });

  it("lets a set replace what came before it, and adds what comes after", () => {
    const gauge = { name: "queue_depth", labels: {} };
    const [change] = foldEntries([
      [{ ...gauge, value: 4 }],
      [{ ...gauge, value: 7, op: "set" }],
      [{ ...gauge, value: 2 }],
    ]);
    expect(change).toMatchObject({ set: 7, add: 2 });
  });
});
