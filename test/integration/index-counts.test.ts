// The INDEX object's document and chunk counts, kept by its writes rather than counted on each
// read: they agree with the rows after every kind of write (create, replace with more or fewer
// chunks, delete, a namespace's deletion and creation anew, across shards), an object written
// before the counts were kept counts once and keeps them from then on, and reading them visits
// a few rows however many the index holds (`COUNT(*)` visits, and SQLite storage bills, them all).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { IndexObject } from "../../workers/do/index-object.js";
import { admin, callJson } from "./helpers.js";
import { bearer, writerKey } from "./limits-helpers.js";
import { countRows } from "./sql-rows.js";

let key = "";

const stubOf = (name: string): DurableObjectStub<IndexObject> =>
  env.INDEX.get(env.INDEX.idFromName(name));

/** The INDEX objects of a namespace of `shards` shards. */
const objectsOf = (namespace: string, shards: number): DurableObjectStub<IndexObject>[] =>
  Array.from({ length: shards }, (_, i) =>
    stubOf(i === 0 ? `ns:${namespace}` : `ns:${namespace}#${i}`),
  );

/** What the object's rows say, counted inside it, beside what its stats report. */
async function countsOf(stub: DurableObjectStub<IndexObject>) {
  return runInDurableObject(stub, (instance, state) => {
    const count = (table: string) =>
      state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
    const { documents, chunks } = instance.stats();
    return {
      reported: { documents, chunks },
      rows: { documents: count("documents"), chunks: count("chunks") },
    };
  });
}

async function expectCountsAgree(namespace: string, shards: number): Promise<number> {
  let total = 0;
  for (const stub of objectsOf(namespace, shards)) {
    const { reported, rows } = await countsOf(stub);
    expect(reported).toEqual(rows);
    total += rows.documents;
  }
  return total;
}

async function ingest(namespace: string, documents: unknown[]): Promise<void> {
  const res = await callJson("POST", "/v1/documents", {
    body: { namespace, documents },
    headers: bearer(key),
  });
  expect(res.status).toBe(200);
}

async function remove(namespace: string, id: string): Promise<number> {
  const res = await callJson("DELETE", `/v1/documents/${id}?namespace=${namespace}`, {
    headers: bearer(key),
  });
  return res.status;
}

/** A text of about `words` words, so the chunker cuts it into several chunks when long. */
const textOf = (topic: string, words: number): string =>
  Array.from({ length: words }, (_, i) => `${topic}${i % 50} word${i}`).join(" ");

async function createNamespace(name: string, shards: number): Promise<void> {
  const res = await callJson("POST", "/admin/namespaces", {
    body: { name, shards },
    headers: admin,
  });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  await createNamespace("counted", 1);
  await createNamespace("counted-wide", 3);
  key = await writerKey("counts", ["counted", "counted-wide"]);
});

describe("the index counts kept by writes", () => {
  it("agree with the rows after creates, replacements with more and fewer chunks, and deletes", async () => {
    await ingest("counted", [
      { id: "long", text: textOf("alpha", 900) },
      { id: "short", text: "A short note about beta." },
      { id: "twice", text: "First version." },
    ]);
    await expectCountsAgree("counted", 1);
    const before = await countsOf(objectsOf("counted", 1)[0] as DurableObjectStub<IndexObject>);
    expect(before.rows.chunks).toBeGreaterThan(3);

    // The same id twice in one batch, a long text made short and a short one made long.
    await ingest("counted", [
      { id: "twice", text: textOf("gamma", 700) },
      { id: "twice", text: "Second version, short again." },
      { id: "long", text: "Now short." },
      { id: "short", text: textOf("delta", 800) },
    ]);
    expect(await expectCountsAgree("counted", 1)).toBe(3);

    expect(await remove("counted", "short")).toBe(200);
    expect(await remove("counted", "short")).toBe(404);
    expect(await expectCountsAgree("counted", 1)).toBe(2);
  });

  it("agree on every shard, and are zero after the namespace's deletion and creation anew", async () => {
    await ingest(
      "counted-wide",
      Array.from({ length: 12 }, (_, i) => ({ id: `w-${i}`, text: textOf(`t${i}`, 40 + i * 60) })),
    );
    expect(await expectCountsAgree("counted-wide", 3)).toBe(12);
    expect(await remove("counted-wide", "w-3")).toBe(200);
    expect(await expectCountsAgree("counted-wide", 3)).toBe(11);

    const listed = await callJson<{ data: Array<{ name: string; documents: number }> }>(
      "GET",
      "/admin/namespaces",
      { headers: admin },
    );
    expect(listed.body.data.find((n) => n.name === "counted-wide")?.documents).toBe(11);

    const dropped = await callJson("DELETE", "/admin/namespaces/counted-wide", { headers: admin });
    expect(dropped.body).toMatchObject({ documents_deleted: 11 });
    for (const stub of objectsOf("counted-wide", 3)) {
      expect((await countsOf(stub)).reported).toEqual({ documents: 0, chunks: 0 });
    }
    await createNamespace("counted-wide", 3);
    await ingest("counted-wide", [{ id: "again", text: "Back with one document." }]);
    expect(await expectCountsAgree("counted-wide", 3)).toBe(1);
  });

  it("are counted once for an object written before they were kept, and kept from then on", async () => {
    const stub = objectsOf("counted", 1)[0] as DurableObjectStub<IndexObject>;
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("DELETE FROM meta WHERE key IN ('doc_count', 'chunk_count')");
    });
    await expectCountsAgree("counted", 1);
    await ingest("counted", [{ id: "later", text: textOf("epsilon", 500) }]);
    expect(await remove("counted", "long")).toBe(200);
    expect(await expectCountsAgree("counted", 1)).toBe(2);
  });

  it("are read by visiting a few rows, however many chunks the index holds", async () => {
    await ingest(
      "counted",
      Array.from({ length: 40 }, (_, i) => ({ id: `bulk-${i}`, text: textOf(`b${i}`, 300) })),
    );
    const stub = objectsOf("counted", 1)[0] as DurableObjectStub<IndexObject>;
    const { result: chunks, rowsRead } = await runInDurableObject(stub, (instance, state) =>
      countRows(state, () => instance.stats().chunks),
    );
    expect(chunks).toBeGreaterThan(100);
    expect(rowsRead).toBeLessThan(10);
  });
});
