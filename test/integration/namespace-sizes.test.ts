// Namespace sizes from the INDEX objects' reports: every write sends its object's counts to the
// METRICS object before it answers, and `/metrics`, `/v1/stats` and `GET /admin/namespaces` read
// them there instead of calling every namespace's objects. Pins that a scrape of reported
// namespaces touches no INDEX object, that a write shows in the next listing, that namespaces
// with no report are read from their objects within a budget of calls (the rest are pending, and
// the next request reads them), that a lagging registry entry of a deleted namespace is not
// listed, that a deleted namespace's report is forgotten a day on, and that an old report is read
// again while a late one never replaces a newer one.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { MetricsObject } from "../../workers/do/metrics-object.js";
import { DIRECT_READ_CALLS } from "../../workers/tenancy/namespace-stats.js";
import { admin, callJson, callSettled, withoutObjects } from "./helpers.js";
import { bearer, writerKey } from "./limits-helpers.js";

interface Listing {
  data: Array<{ name: string; documents: number | null; chunks: number | null; shards: number }>;
}
interface Stats {
  namespaces: Array<{ name: string; documents: number; chunks: number; version: number }>;
  namespaces_pending: string[];
  index: { documents: number };
}

const metrics = (): DurableObjectStub<MetricsObject> =>
  env.METRICS.get(env.METRICS.idFromName("global"));

/** Forgets every report, as a deployment from before reports existed would have none. */
async function forgetReports(): Promise<void> {
  await runInDurableObject(metrics(), (_instance, state) => {
    state.storage.sql.exec("DELETE FROM index_reports");
  });
}

const SMALL = Array.from({ length: 30 }, (_, i) => `sized-${String(i).padStart(2, "0")}`);
let key = "";

async function ingest(namespace: string, ids: string[]): Promise<void> {
  const res = await callJson("POST", "/v1/documents", {
    body: { namespace, documents: ids.map((id) => ({ id, text: `Notes on ${id} and more.` })) },
    headers: bearer(key),
  });
  expect(res.status).toBe(200);
}

const stats = async () => (await callSettled<Stats>("GET", "/v1/stats", { headers: admin })).body;
const listing = async () =>
  (await callSettled<Listing>("GET", "/admin/namespaces", { headers: admin })).body;

beforeAll(async () => {
  for (const name of SMALL) {
    const res = await callJson("POST", "/admin/namespaces", { body: { name }, headers: admin });
    expect(res.status).toBe(201);
  }
  const wide = await callJson("POST", "/admin/namespaces", {
    body: { name: "sized-wide", shards: 3 },
    headers: admin,
  });
  expect(wide.status).toBe(201);
  key = await writerKey("sizes", [...SMALL, "sized-wide"]);
  await ingest("sized-03", ["a", "b", "c"]);
  await ingest("sized-wide", ["w1", "w2", "w3", "w4", "w5"]);
}, 60_000);

describe("namespace sizes from the objects' reports", () => {
  it("show a write in the next listing, and a sharded namespace's sum over its shards", async () => {
    const before = (await listing()).data.find((n) => n.name === "sized-03");
    expect(before?.documents).toBe(3);
    await ingest("sized-03", ["d"]);
    const deleted = await callJson("DELETE", "/v1/documents/b?namespace=sized-03", {
      headers: bearer(key),
    });
    expect(deleted.status).toBe(200);
    const after = await listing();
    expect(after.data.find((n) => n.name === "sized-03")?.documents).toBe(3);
    expect(after.data.find((n) => n.name === "sized-wide")).toMatchObject({
      documents: 5,
      shards: 3,
    });
  });

  it("answer /metrics, /v1/stats and the listing without calling any INDEX object once reported", async () => {
    await stats(); // reads (and reports) whatever has not reported yet: `default`
    const worker = withoutObjects(["INDEX"]);
    const scrape = await worker.call("GET", "/metrics", undefined, admin);
    expect(scrape.status).toBe(200);
    expect(scrape.text).toMatch(/^ragway_index_documents 8$/m);
    const summary = await worker.call("GET", "/v1/stats", undefined, admin);
    expect(summary.status).toBe(200);
    expect((JSON.parse(summary.text) as Stats).namespaces_pending).toEqual([]);
    const listed = await worker.call("GET", "/admin/namespaces", undefined, admin);
    expect((JSON.parse(listed.text) as Listing).data).toHaveLength(SMALL.length + 2);
    expect(worker.used).toEqual([]);
  });

  it("read unreported namespaces from their objects within the budget, the rest the next time", async () => {
    await forgetReports();
    const names = ["default", ...SMALL, "sized-wide"];
    // Every namespace costs one call but the wide one (three): the budget covers the first ones.
    const first = await stats();
    expect(first.namespaces_pending.length).toBeGreaterThan(0);
    expect(first.namespaces.length + first.namespaces_pending.length).toBe(names.length);
    expect(first.namespaces.length).toBeLessThanOrEqual(DIRECT_READ_CALLS);
    await forgetReports();
    const partial = await listing();
    expect(partial.data.map((n) => n.name)).toEqual(names);
    const unknown = partial.data.filter((n) => n.documents === null).map((n) => n.name);
    expect(unknown).toEqual(first.namespaces_pending);

    // What was read was reported: the next requests read the rest, then nothing is pending.
    let next = await stats();
    for (let i = 0; i < 3 && next.namespaces_pending.length > 0; i++) next = await stats();
    expect(next.namespaces_pending).toEqual([]);
    expect(next.namespaces.map((n) => n.name)).toEqual(names);
    expect(next.namespaces.find((n) => n.name === "sized-03")?.documents).toBe(3);
    expect(next.namespaces.find((n) => n.name === "sized-wide")?.documents).toBe(5);
    expect(next.index.documents).toBe(8);
  });

  it("leave out a deleted namespace that a lagging registry still lists", async () => {
    const made = await callJson("POST", "/admin/namespaces", {
      body: { name: "sized-ghost" },
      headers: admin,
    });
    expect(made.status).toBe(201);
    const entry = await env.CACHE.get("namespace:sized-ghost");
    expect(
      (await callJson("DELETE", "/admin/namespaces/sized-ghost", { headers: admin })).status,
    ).toBe(200);
    // The registry entry comes back, as a KV read that lags the deletion would show it.
    await env.CACHE.put("namespace:sized-ghost", entry ?? "{}", {
      metadata: { name: "sized-ghost", created_at: new Date().toISOString() },
    });
    expect((await listing()).data.map((n) => n.name)).not.toContain("sized-ghost");
    const summary = await stats();
    expect(summary.namespaces.map((n) => n.name)).not.toContain("sized-ghost");
    expect(summary.namespaces_pending).not.toContain("sized-ghost");
    await env.CACHE.delete("namespace:sized-ghost");
  });

  it("forget a deleted namespace's report a day on, when the next deletion is reported", async () => {
    const twoDaysAgo = Date.now() - 2 * 24 * 60 * 60 * 1000;
    const rows = async () =>
      (await metrics().indexSizes()).map((r) => r.namespace).filter((n) => n.startsWith("old-"));
    await runInDurableObject(metrics(), (_instance, state) => {
      const insert = (namespace: string, live: number) =>
        state.storage.sql.exec(
          `INSERT INTO index_reports VALUES (?, 0, 0, 0, 9, ?, 1, ?)`,
          namespace,
          live,
          twoDaysAgo,
        );
      insert("old-gone", 0);
      insert("old-live", 1);
    });
    await ingest("sized-05", ["e"]); // a write reports no deletion: nothing is forgotten
    expect(await rows()).toEqual(["old-gone", "old-live"]);
    for (const method of ["POST", "DELETE"] as const) {
      const path = method === "POST" ? "/admin/namespaces" : "/admin/namespaces/sized-brief";
      const res = await callJson(method, path, {
        ...(method === "POST" ? { body: { name: "sized-brief" } } : {}),
        headers: admin,
      });
      expect(res.status).toBe(method === "POST" ? 201 : 200);
    }
    expect(await rows()).toEqual(["old-live"]);
    const deleted = (await metrics().indexSizes()).find((r) => r.namespace === "sized-brief");
    expect(deleted).toMatchObject({ live: false, documents: 0 });
  });

  it("read an old report again, and never let a late report replace a newer one", async () => {
    await stats();
    const reportedAt = () =>
      runInDurableObject(
        metrics(),
        (_instance, state) =>
          state.storage.sql
            .exec<{ t: number }>(
              "SELECT reported_at AS t FROM index_reports WHERE namespace = 'sized-03' AND shard = 0",
            )
            .one().t,
      );
    const twoHoursAgo = Date.now() - 2 * 60 * 60 * 1000;
    await runInDurableObject(metrics(), (_instance, state) => {
      state.storage.sql.exec(
        "UPDATE index_reports SET reported_at = ? WHERE namespace = 'sized-03'",
        twoHoursAgo,
      );
    });
    await stats();
    expect(await reportedAt()).toBeGreaterThan(twoHoursAgo);

    const held = (await metrics().indexSizes()).find(
      (r) => r.namespace === "sized-03" && r.shard === 0,
    );
    expect(held).toBeDefined();
    await metrics().reportIndex([
      {
        namespace: "sized-03",
        shard: 0,
        documents: 999,
        chunks: 999,
        version: (held?.version ?? 1) - 1,
        live: true,
        shards: 1,
      },
    ]);
    const after = (await stats()).namespaces.find((n) => n.name === "sized-03");
    expect(after?.documents).toBe(3);
  });
});
