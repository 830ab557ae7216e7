// What reports of a namespace's size are built from: each INDEX object's counts as it last
// reported them after a write, kept in one place (the METRICS object), so `/metrics`, `/v1/stats`
// and the namespace listing read one object instead of every namespace's objects (one call each,
// which woke idle objects on every scrape and ran into the free plan's 50 subrequests past about
// 45 namespaces). A namespace whose reports are missing (registered before objects reported, or
// a report lost with a failed call) or old is read from its objects instead, a bounded number
// per call, and what is read is reported in turn.
import { isLive } from "./namespace-name.js";

/** One INDEX object's counts as it reported them: shard `shard` of `namespace`. */
export interface IndexReportRow {
  namespace: string;
  shard: number;
  documents: number;
  chunks: number;
  /** The object's own version: a report only replaces one of a lower or equal version. */
  version: number;
  /** Created through the admin API and not deleted since (never set for `default`). */
  live: boolean;
  /** The namespace's shard count as the object records it. */
  shards: number;
  /** Epoch ms when the report was stored. */
  reportedAt: number;
}

/** A namespace's size, summed over its shards; the version is its head's. */
export interface NamespaceSize {
  namespace: string;
  documents: number;
  chunks: number;
  version: number;
  shards: number;
}

/** What the reports say of each namespace asked about. */
export interface ReportedSizes {
  /** Live namespaces whose every shard has reported, in the order asked. */
  sizes: Map<string, NamespaceSize>;
  /** Namespaces to read from their objects first: a shard not reported (or the head reporting
   * the namespace deleted), in the order asked. */
  unreported: string[];
  /** Then these: reported, but the oldest report is older than the age allowed; oldest first. */
  stale: string[];
}

/**
 * Sorts `names` by what `rows` say of them. `default` is live whatever its head says (it is never
 * created through the admin API). A live head's shards must each have reported, live, for the
 * namespace to count as reported; a shard row left from an earlier layout (a higher index than
 * the head's count) is ignored. A name whose head reported it deleted counts as unreported: the
 * listing names it, so either the listing lags a deletion or the report of its creation anew was
 * lost or overtaken (a creation does not move the version, so a late report of the deletion
 * before it ties with it and may be stored last), and only its object can tell which.
 *
 * @example
 * const { sizes, unreported } = sizesFromReports(["default", "alpha"], rows, Date.now(), 3_600_000);
 */
export function sizesFromReports(
  names: readonly string[],
  rows: readonly IndexReportRow[],
  now: number,
  maxAgeMs: number,
): ReportedSizes {
  const byNamespace = new Map<string, Map<number, IndexReportRow>>();
  for (const row of rows) {
    let shards = byNamespace.get(row.namespace);
    if (!shards) {
      shards = new Map<number, IndexReportRow>();
      byNamespace.set(row.namespace, shards);
    }
    shards.set(row.shard, row);
  }
  const sizes = new Map<string, NamespaceSize>();
  const unreported: string[] = [];
  const aged: Array<{ name: string; at: number }> = [];
  for (const name of names) {
    const shards = byNamespace.get(name);
    const head = shards?.get(0);
    if (!shards || !head || !isLive(name, head.live)) {
      unreported.push(name);
      continue;
    }
    let documents = 0;
    let chunks = 0;
    let oldest = Infinity;
    let complete = true;
    for (let shard = 0; shard < head.shards; shard++) {
      const row = shards.get(shard);
      if (!row || (shard > 0 && !row.live)) {
        complete = false;
        break;
      }
      documents += row.documents;
      chunks += row.chunks;
      oldest = Math.min(oldest, row.reportedAt);
    }
    if (!complete) {
      unreported.push(name);
      continue;
    }
    sizes.set(name, {
      namespace: name,
      documents,
      chunks,
      version: head.version,
      shards: head.shards,
    });
    if (now - oldest > maxAgeMs) aged.push({ name, at: oldest });
  }
  aged.sort((a, b) => a.at - b.at);
  return { sizes, unreported, stale: aged.map((a) => a.name) };
}

/**
 * The namespaces to read from their objects in one call: unreported first, then stale, each
 * costing `callsOf(name)` object calls (its shard count), while the calls fit `budget`. The first
 * is always taken, so a namespace wider than the budget is read too, alone.
 */
export function pickDirectReads(
  reported: Pick<ReportedSizes, "unreported" | "stale">,
  callsOf: (name: string) => number,
  budget: number,
): string[] {
  const picked: string[] = [];
  let calls = 0;
  for (const name of [...reported.unreported, ...reported.stale]) {
    const cost = Math.max(1, callsOf(name));
    if (picked.length > 0 && calls + cost > budget) continue;
    picked.push(name);
    calls += cost;
  }
  return picked;
}
