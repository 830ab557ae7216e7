import { describe, expect, it } from "vitest";
import {
  pickDirectReads,
  sizesFromReports,
  type IndexReportRow,
} from "../../../shared/tenancy/index-reports.js";

const HOUR = 3_600_000;
const NOW = 10 * HOUR;

const row = (namespace: string, shard: number, over: Partial<IndexReportRow> = {}) => ({
  namespace,
  shard,
  documents: 10,
  chunks: 30,
  version: 5,
  live: true,
  shards: 1,
  reportedAt: NOW - 1000,
  ...over,
});

describe("sizes from the INDEX objects' reports", () => {
  it("sums a namespace's shards and takes its head's version and shard count", () => {
    const rows = [
      row("wide", 0, { shards: 3, version: 9, documents: 1, chunks: 2 }),
      row("wide", 1, { shards: 3, version: 2, documents: 4, chunks: 8 }),
      row("wide", 2, { shards: 3, version: 3, documents: 16, chunks: 32 }),
    ];
    const { sizes, unreported, stale } = sizesFromReports(["wide"], rows, NOW, HOUR);
    expect(sizes.get("wide")).toEqual({
      namespace: "wide",
      documents: 21,
      chunks: 42,
      version: 9,
      shards: 3,
    });
    expect(unreported).toEqual([]);
    expect(stale).toEqual([]);
  });

  it("counts `default` as live although its object never says so", () => {
    const { sizes } = sizesFromReports(
      ["default"],
      [row("default", 0, { live: false })],
      NOW,
      HOUR,
    );
    expect(sizes.get("default")?.documents).toBe(10);
  });

  it("leaves for a direct read a namespace with no report, a shard missing or not live, or a head reporting it deleted", () => {
    const rows = [
      row("half", 0, { shards: 2 }),
      row("joined-late", 0, { shards: 2 }),
      row("joined-late", 1, { shards: 2, live: false }),
      row("gone", 0, { live: false, documents: 0, chunks: 0 }),
    ];
    const names = ["never", "half", "joined-late", "gone"];
    const { sizes, unreported } = sizesFromReports(names, rows, NOW, HOUR);
    expect(sizes.size).toBe(0);
    expect(unreported).toEqual(names);
  });

  it("ignores shard rows past the head's count (an earlier, wider layout)", () => {
    const rows = [row("narrow", 0), row("narrow", 1, { shards: 4, documents: 99 })];
    expect(sizesFromReports(["narrow"], rows, NOW, HOUR).sizes.get("narrow")?.documents).toBe(10);
  });

  it("marks as stale, oldest first, namespaces whose oldest report is past the age allowed", () => {
    const rows = [
      row("fresh", 0),
      row("old", 0, { reportedAt: NOW - 2 * HOUR }),
      row("older", 0, { shards: 2, reportedAt: NOW - HOUR / 2 }),
      row("older", 1, { shards: 2, reportedAt: NOW - 5 * HOUR }),
    ];
    const { sizes, stale } = sizesFromReports(["fresh", "old", "older"], rows, NOW, HOUR);
    expect([...sizes.keys()]).toEqual(["fresh", "old", "older"]);
    expect(stale).toEqual(["older", "old"]);
  });

  it("reads only the namespaces asked about, whatever else is reported", () => {
    const { sizes } = sizesFromReports(["a"], [row("a", 0), row("deleted-long-ago", 0)], NOW, HOUR);
    expect([...sizes.keys()]).toEqual(["a"]);
  });
});

describe("picking the namespaces read from their objects", () => {
  const width: Record<string, number> = { a: 1, b: 8, c: 1, wide: 40, d: 2 };
  const callsOf = (name: string) => width[name] ?? 1;

  it("takes unreported before stale, while their calls fit the budget", () => {
    const picked = pickDirectReads({ unreported: ["a", "b"], stale: ["c", "d"] }, callsOf, 11);
    expect(picked).toEqual(["a", "b", "c"]);
  });

  it("skips one that does not fit and goes on with smaller ones", () => {
    expect(pickDirectReads({ unreported: ["a", "b", "c"], stale: [] }, callsOf, 4)).toEqual([
      "a",
      "c",
    ]);
  });

  it("always takes the first, even wider than the budget, so it is never starved", () => {
    expect(pickDirectReads({ unreported: ["wide", "a"], stale: [] }, callsOf, 24)).toEqual([
      "wide",
    ]);
  });

  it("takes nothing when nothing needs reading", () => {
    expect(pickDirectReads({ unreported: [], stale: [] }, callsOf, 24)).toEqual([]);
  });
});
