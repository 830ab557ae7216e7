// Sharded namespaces end to end: a namespace of 4 shards answers a fixed corpus exactly as one
// of 1 does, its documents really spread over 4 INDEX objects, every document route works across
// them, a write shows in the next search, deleting the namespace empties every shard, and an
// isolate whose idea of the shard count is stale is corrected by the objects, never misled.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { shardOf } from "../../shared/search/shard-placement.js";
import { admin, callJson, callSettled } from "./helpers.js";
import { bearer, createKey, writerKey } from "./limits-helpers.js";

interface Source {
  id: string;
  score: number;
}
interface QueryBody {
  sources: Source[];
  index_version: number;
}
interface ErrorBody {
  error: { code: string; param: string | null; message: string };
}

const TOPICS = [
  ["replication", "standby servers stream the write-ahead log from the primary"],
  ["backup", "base backups and point-in-time recovery restore a cluster"],
  ["vacuum", "vacuum reclaims storage held by dead tuples and updates statistics"],
  ["indexes", "a btree index speeds lookups while a gin index serves full text search"],
  ["planner", "the query planner chooses join orders from table statistics"],
  ["locking", "row level locks and advisory locks coordinate concurrent writers"],
] as const;

/** 36 documents: each topic six times, in varied words, with a little shared vocabulary. */
const CORPUS = Array.from({ length: 36 }, (_, i) => {
  const [topic, sentence] = TOPICS[i % TOPICS.length] ?? TOPICS[0];
  const other = TOPICS[(i * 5 + 1) % TOPICS.length]?.[0] ?? "server";
  return {
    id: `doc-${String(i).padStart(2, "0")}`,
    title: `${topic} guide part ${Math.floor(i / TOPICS.length) + 1}`,
    text:
      `${sentence}. Part ${i} of the ${topic} notes also mentions ${other} briefly. ` +
      `Operators tune ${topic} settings ${i % 3 === 0 ? "carefully on busy servers" : "with care"}.`,
    metadata: { topic, part: i },
  };
});

const QUESTIONS = [
  "how do standby servers receive the write-ahead log?",
  "restore a cluster with point-in-time recovery",
  "dead tuples and storage",
  "gin index for full text search",
  "join orders chosen by the planner",
  "advisory locks for concurrent writers",
  "tune settings on busy servers",
];

let key = "";

async function createNamespace(name: string, shards?: number) {
  return callJson("POST", "/admin/namespaces", {
    body: { name, ...(shards === undefined ? {} : { shards }) },
    headers: admin,
  });
}

async function ingest(namespace: string, documents: unknown[], secret = key) {
  const res = await callJson("POST", "/v1/documents", {
    body: { namespace, documents },
    headers: bearer(secret),
  });
  expect(res.status).toBe(200);
  return res.body as { index_version: number };
}

async function ask(namespace: string, query: string, extra: object = {}, secret = key) {
  const res = await callJson<QueryBody>("POST", "/v1/query", {
    body: { namespace, query, k: 8, use_cache: false, ...extra },
    headers: bearer(secret),
  });
  expect(res.status).toBe(200);
  return res.body;
}

/** Per-shard document counts, read from each INDEX object of the namespace. */
async function shardCounts(namespace: string, shards: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: shards }, async (_, i) => {
      const name = i === 0 ? `ns:${namespace}` : `ns:${namespace}#${i}`;
      const stub = env.INDEX.get(env.INDEX.idFromName(name));
      return (await stub.namespaceInfo()).documents;
    }),
  );
}

beforeAll(async () => {
  expect((await createNamespace("flat")).status).toBe(201);
  const wide = await createNamespace("wide", 4);
  expect(wide.status).toBe(201);
  expect(wide.body).toMatchObject({ name: "wide", shards: 4 });
  key = await writerKey("shards", ["flat", "wide"]);
  await ingest("flat", CORPUS);
  await ingest("wide", CORPUS);
});

describe("a namespace of 4 shards", () => {
  it("returns the same sources, in the same order with the same scores, as one of 1 shard", async () => {
    for (const retrieval of ["hybrid", "dense", "lexical"] as const) {
      for (const q of QUESTIONS) {
        const flat = await ask("flat", q, { retrieval });
        const wide = await ask("wide", q, { retrieval });
        expect(flat.sources.length).toBeGreaterThan(0);
        expect(wide.sources.map((s) => [s.id, s.score])).toEqual(
          flat.sources.map((s) => [s.id, s.score]),
        );
      }
    }
    const filter = { topic: "backup" };
    const flat = await ask("flat", QUESTIONS[1] ?? "", { filter });
    const wide = await ask("wide", QUESTIONS[1] ?? "", { filter });
    expect(wide.sources.map((s) => s.id)).toEqual(flat.sources.map((s) => s.id));
  }, 120_000);

  it("spreads its documents over all 4 INDEX objects, by the hash of their ids", async () => {
    const counts = await shardCounts("wide", 4);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(CORPUS.length);
    expect(counts.filter((n) => n > 0).length).toBe(4);
    const expected = [0, 0, 0, 0];
    for (const d of CORPUS) expected[shardOf(d.id, 4)] = (expected[shardOf(d.id, 4)] ?? 0) + 1;
    expect(counts).toEqual(expected);
    const list = await callJson<{
      data: Array<{ name: string; shards: number; documents: number }>;
    }>("GET", "/admin/namespaces", { headers: admin });
    expect(list.body.data.find((n) => n.name === "wide")).toMatchObject({
      shards: 4,
      documents: CORPUS.length,
    });
    expect(list.body.data.find((n) => n.name === "flat")).toMatchObject({ shards: 1 });
    expect(list.body.data.find((n) => n.name === "default")).toMatchObject({ shards: 1 });
    const stats = await callJson<{ namespaces: Array<{ name: string; documents: number }> }>(
      "GET",
      "/v1/stats",
      { headers: admin },
    );
    expect(stats.body.namespaces.find((n) => n.name === "wide")?.documents).toBe(CORPUS.length);
  });

  it("reads, looks up and lists documents across its shards", async () => {
    for (const d of CORPUS.slice(0, 12)) {
      const res = await callJson<{ id: string; text: string }>(
        "GET",
        `/v1/documents/${d.id}?namespace=wide`,
        { headers: bearer(key) },
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: d.id, text: d.text });
    }
    const lookup = await callJson<{ documents: Array<{ id: string }>; missing: string[] }>(
      "POST",
      "/v1/documents/lookup",
      {
        body: { namespace: "wide", ids: ["doc-30", "nope", "doc-03", "doc-17"] },
        headers: bearer(key),
      },
    );
    expect(lookup.body.documents.map((d) => d.id)).toEqual(["doc-03", "doc-17", "doc-30"]);
    expect(lookup.body.missing).toEqual(["nope"]);

    // Pages of 7 walk every id once, in order, across the shards.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: Array<{ id: string }>; next_cursor: string | null } } =
        await callJson(
          "GET",
          `/v1/documents?namespace=wide&limit=7${cursor ? `&cursor=${cursor}` : ""}`,
          {
            headers: bearer(key),
          },
        );
      seen.push(...page.body.data.map((d) => d.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(CORPUS.map((d) => d.id).sort());

    const prefixed = await callJson<{ data: Array<{ id: string }> }>(
      "GET",
      "/v1/documents?namespace=wide&prefix=doc-1&metadata.topic=vacuum",
      { headers: bearer(key) },
    );
    const expected = CORPUS.filter(
      (d) => d.id.startsWith("doc-1") && d.metadata.topic === "vacuum",
    );
    expect(prefixed.body.data.map((d) => d.id)).toEqual(expected.map((d) => d.id));
  });

  it("shows a write and a delete in the very next search", async () => {
    const before = await ask("wide", "zirconium flux capacitor");
    const added = await ingest("wide", [
      { id: "late-arrival", text: "The zirconium flux capacitor powers the archive." },
    ]);
    expect(added.index_version).toBeGreaterThan(before.index_version);
    const after = await ask("wide", "zirconium flux capacitor");
    expect(after.sources[0]?.id).toMatch(/^late-arrival/);
    expect(after.index_version).toBe(added.index_version);

    const removed = await callJson<{ index_version: number }>(
      "DELETE",
      "/v1/documents/late-arrival?namespace=wide",
      { headers: bearer(key) },
    );
    expect(removed.status).toBe(200);
    expect(removed.body.index_version).toBeGreaterThan(added.index_version);
    const gone = await ask("wide", "zirconium flux capacitor");
    expect(gone.sources.some((s) => s.id.startsWith("late-arrival"))).toBe(false);
    const missing = await callJson<ErrorBody>("GET", "/v1/documents/late-arrival?namespace=wide", {
      headers: bearer(key),
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
  });

  it("a cached answer does not outlive a write to another shard than the head", async () => {
    const id = ["cache-a", "cache-b", "cache-c", "cache-d", "cache-e"].find(
      (x) => shardOf(x, 4) !== 0,
    );
    expect(id).toBeDefined();
    const question = "which element is the quasar lattice made of?";
    const first = await callSettled<QueryBody & { cache: string }>("POST", "/v1/query", {
      body: { namespace: "wide", query: question },
      headers: bearer(key),
    });
    expect(first.body.sources.some((s) => s.id.startsWith(id ?? ""))).toBe(false);
    await ingest("wide", [{ id, text: "The quasar lattice is made of osmium." }]);
    const second = await callSettled<QueryBody & { cache: string }>("POST", "/v1/query", {
      body: { namespace: "wide", query: question },
      headers: bearer(key),
    });
    expect(second.body.cache).toBe("MISS");
    expect(second.body.sources[0]?.id.startsWith(id ?? "")).toBe(true);
  });
});

describe("creating and deleting sharded namespaces", () => {
  it("refuses a shard count outside 1..32 with a 400 naming shards", async () => {
    for (const shards of [0, 33, 2.5, "4"]) {
      const res = await callJson<ErrorBody>("POST", "/admin/namespaces", {
        body: { name: "bad-shards", shards },
        headers: admin,
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: "invalid_request", param: "shards" });
    }
  });

  it("deleting a sharded namespace empties every shard, and the name can be created anew", async () => {
    expect((await createNamespace("doomed", 3)).status).toBe(201);
    const created = await createKey({
      name: "doomed",
      namespaces: ["doomed"],
      scopes: ["query", "documents:read", "documents:write"],
    });
    const res = await callJson("POST", "/v1/documents", {
      body: { namespace: "doomed", documents: CORPUS.slice(0, 20) },
      headers: bearer(created.key),
    });
    expect(res.status).toBe(200);
    expect((await shardCounts("doomed", 3)).filter((n) => n > 0).length).toBeGreaterThan(1);

    const del = await callJson<{ documents_deleted: number }>(
      "DELETE",
      "/admin/namespaces/doomed",
      {
        headers: admin,
      },
    );
    expect(del.status).toBe(200);
    expect(del.body.documents_deleted).toBe(20);
    expect(await shardCounts("doomed", 3)).toEqual([0, 0, 0]);
    const read = await callJson<ErrorBody>("GET", "/v1/documents/doc-01?namespace=doomed", {
      headers: bearer(created.key),
    });
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe("namespace_not_found");

    expect((await createNamespace("doomed", 2)).status).toBe(201);
    const list = await callJson("GET", "/v1/documents?namespace=doomed", {
      headers: bearer(created.key),
    });
    expect(list.body).toMatchObject({ data: [], next_cursor: null });
  });

  it("an isolate that believes in an old shard count is corrected, and writes land where they belong", async () => {
    expect((await createNamespace("morph", 4)).status).toBe(201);
    const { key: morphKey } = await createKey({
      name: "morph",
      namespaces: ["morph"],
      scopes: ["query", "documents:read", "documents:write"],
    });
    // Another isolate deletes it and creates it again with 2 shards: this one still believes 4.
    for (let i = 0; i < 4; i++) {
      const name = i === 0 ? "ns:morph" : `ns:morph#${i}`;
      await env.INDEX.get(env.INDEX.idFromName(name)).deleteNamespace();
    }
    const head = env.INDEX.get(env.INDEX.idFromName("ns:morph"));
    expect((await head.createNamespace({ shards: 2, shard: 0 })).created).toBe(true);
    await env.INDEX.get(env.INDEX.idFromName("ns:morph#1")).joinNamespace({ shards: 2, shard: 1 });

    await ingest("morph", CORPUS.slice(0, 16), morphKey);
    const expected = [0, 0];
    for (const d of CORPUS.slice(0, 16))
      expected[shardOf(d.id, 2)] = (expected[shardOf(d.id, 2)] ?? 0) + 1;
    expect(await shardCounts("morph", 2)).toEqual(expected);
    expect((await shardCounts("morph", 4)).slice(2)).toEqual([0, 0]);
    const found = await ask("morph", QUESTIONS[0] ?? "", {}, morphKey);
    expect(found.sources.length).toBeGreaterThan(0);
  });
});
