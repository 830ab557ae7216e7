// `ragway ingest` end to end: the real CLI process against `wrangler dev` (OpenAI mode against
// the mock upstream, so latency can be injected). A generated folder of 200 mixed files with two
// unreadable ones; re-runs; an edit; a SIGKILL mid-run; the bar under a pseudo-terminal; and a
// gateway that is not there.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "../mock-upstream/server.js";
import { writeMixedCorpus, type MixedCorpus } from "../support/mixed-corpus.js";
import { runCli, startCli, summaryCounts } from "../support/run-cli.js";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.js";

let upstream: MockUpstream;
let dev: WranglerDev;
let root: string;
let corpus: MixedCorpus;
let corpusDir: string;

const ADMIN_TOKEN = "e2e-admin-token-0123456789";

interface Stats {
  index: { documents: number; version: number };
}

/** The index's size and version, from the admin stats (/health does not read the index). */
async function health(): Promise<Stats["index"]> {
  const res = await fetch(`${dev.url}/v1/stats`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return (await res.json<Stats>()).index;
}

/** Waits (up to a minute) until the index holds at least `count` documents. */
async function untilDocuments(count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await health()).documents < count && Date.now() < deadline) await sleep(100);
}

beforeAll(async () => {
  upstream = await startMockUpstream({ port: 0 });
  dev = await startWranglerDev({
    vars: {
      OPENAI_API_KEY: "sk-e2e-ingest",
      OPENAI_BASE_URL: upstream.url,
      SEED_SAMPLE_CORPUS: "false",
      ADMIN_TOKEN,
    },
  });
  root = await mkdtemp(join(tmpdir(), "ragway-cli-e2e-"));
  corpusDir = join(root, "corpus");
  corpus = await writeMixedCorpus(corpusDir, { total: 200, unreadable: 2 });
});

afterAll(async () => {
  await dev?.stop();
  await upstream?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

const ingest = (dir: string, ...extra: string[]) =>
  runCli(["ingest", dir, "--url", dev.url, "--base", dir, ...extra]);

describe("ragway ingest against wrangler dev", () => {
  it("ingests 200 mixed files, reporting the two unreadable ones and exiting 1", async () => {
    const before = await health();
    const run = await ingest(corpusDir);
    expect(run.code).toBe(1);
    expect(summaryCounts(run.stdout)).toMatchObject({
      added: 198,
      updated: 0,
      skipped: 0,
      failed: 2,
      ignored: 1,
    });
    for (const bad of corpus.unreadable) expect(run.stdout).toContain(`✗ ${bad}: `);
    expect(run.stdout).toMatch(/✗ broken\/doc-corrupt-0\.pdf: not a readable PDF/);
    expect(run.stdout).toMatch(/✗ broken\/doc-latin1-1\.txt: not UTF-8 text/);
    expect((await health()).documents).toBe(before.documents + 198);
    // Piped, progress is plain lines: no carriage returns, no escape codes.
    expect(run.stderr).toMatch(/^progress 200\/200 files \(100%\), \d+ chunks/m);
    expect(run.stderr).not.toContain("\r");
    expect(run.stderr).not.toContain("\x1b");
  });

  it("makes every kind of file findable by its content, with the path as id", async () => {
    for (const kind of ["pdf", "html", "txt", "md"]) {
      const file = corpus.readable.find((f) => f.relPath.endsWith(`.${kind}`));
      if (!file) throw new Error(`no ${kind} file generated`);
      const res = await fetch(`${dev.url}/v1/query`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          query: `Which document has the word ${file.marker}?`,
          retrieval: "lexical",
        }),
      });
      const body = await res.json<{ sources: Array<{ id: string; text: string }> }>();
      expect(body.sources[0]?.id).toBe(file.relPath);
      expect(body.sources[0]?.text).toContain(file.marker);
      expect(body.sources[0]?.text).not.toContain("window.track");
    }
  });

  it("uploads nothing on a second run", async () => {
    const before = await health();
    const embeddings = upstream.counts().embeddings;
    const run = await ingest(corpusDir);
    expect(summaryCounts(run.stdout)).toMatchObject({
      added: 0,
      updated: 0,
      skipped: 198,
      unchanged: 198,
      failed: 2,
    });
    expect(run.stdout).toMatch(/ 1 requests, 0 retries/);
    expect(await health()).toEqual(before);
    expect(upstream.counts().embeddings).toBe(embeddings);
  });

  it("uploads exactly the edited file on a third run", async () => {
    const edited = corpus.readable.find((f) => f.relPath.endsWith(".md"));
    if (!edited) throw new Error("no markdown file");
    await writeFile(
      join(corpusDir, edited.relPath),
      "# Edited\n\nThis file now mentions zebra-quasar.\n",
    );
    const before = await health();
    const run = await ingest(corpusDir);
    expect(summaryCounts(run.stdout)).toMatchObject({
      added: 0,
      updated: 1,
      skipped: 197,
      failed: 2,
    });
    expect(run.stdout).toMatch(/ 2 requests, 0 retries/);
    const after = await health();
    expect(after.documents).toBe(before.documents);
    expect(after.version).toBe(before.version + 1);
    const doc = await fetch(`${dev.url}/v1/documents/${encodeURIComponent(edited.relPath)}`);
    expect((await doc.json<{ text: string }>()).text).toContain("zebra-quasar");
  });

  it("completes the rest after being killed midway, without duplicates", async () => {
    const dir = join(root, "resume");
    const resume = await writeMixedCorpus(dir, { total: 60, unreadable: 0, tag: "resume" });
    const base = (await health()).documents;
    upstream.configure({ latencyMs: 400 });
    const { child, done } = startCli([
      "ingest",
      dir,
      "--url",
      dev.url,
      "--base",
      dir,
      "--batch-size",
      "4",
      "--concurrency",
      "1",
    ]);
    await untilDocuments(base + 12);
    child.kill("SIGKILL");
    const killed = await done;
    expect(killed.signal).toBe("SIGKILL");
    upstream.configure({});
    await sleep(1500); // let a request that was in flight land (or not) before counting
    const landed = (await health()).documents - base;
    expect(landed).toBeGreaterThanOrEqual(12);
    expect(landed).toBeLessThan(60);

    const rerun = await runCli(["ingest", dir, "--url", dev.url, "--base", dir]);
    expect(rerun.code).toBe(0);
    expect(summaryCounts(rerun.stdout)).toMatchObject({
      added: 60 - landed,
      updated: 0,
      unchanged: landed,
      failed: 0,
    });
    expect((await health()).documents).toBe(base + 60);
    const lookup = await fetch(`${dev.url}/v1/documents/lookup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ids: resume.readable.map((f) => f.relPath) }),
    });
    expect((await lookup.json<{ missing: string[] }>()).missing).toEqual([]);
  });

  it("stops on Ctrl-C with the summary so far and exit status 130", async () => {
    const dir = join(root, "sigint");
    await writeMixedCorpus(dir, { total: 30, unreadable: 0, tag: "sigint" });
    const base = (await health()).documents;
    upstream.configure({ latencyMs: 400 });
    try {
      const { child, done } = startCli([
        "ingest",
        dir,
        "--url",
        dev.url,
        "--base",
        dir,
        "--batch-size",
        "3",
        "--concurrency",
        "1",
      ]);
      await untilDocuments(base + 3);
      // Let the stored batch's response reach the CLI (it settles the key's reservation first);
      // the next batch cannot land sooner than the upstream's 400 ms.
      await sleep(250);
      child.kill("SIGINT");
      const run = await done;
      expect(run.code).toBe(130);
      expect(run.stderr).toContain("interrupted: re-run the same command to finish");
      const added = summaryCounts(run.stdout).added ?? 0;
      expect(added).toBeGreaterThanOrEqual(3);
      expect(added).toBeLessThan(30);
    } finally {
      upstream.configure({});
    }
  });

  it("draws a progress bar in place under a terminal", async () => {
    const dir = join(root, "tty");
    await writeMixedCorpus(dir, { total: 24, unreadable: 1, tag: "tty" });
    upstream.configure({ latencyMs: 250 });
    try {
      const run = await runCli(
        ["ingest", dir, "--url", dev.url, "--base", dir, "--batch-size", "3", "--concurrency", "1"],
        { tty: true },
      );
      const out = run.stdout;
      expect(run.code).toBe(1);
      const redraws = out.split("\r\x1b[K[").length - 1;
      expect(redraws).toBeGreaterThanOrEqual(3);
      const percents = new Set([...out.matchAll(/\]\s+(\d+)% /g)].map((m) => m[1]));
      expect(percents.size).toBeGreaterThanOrEqual(3);
      expect(percents).toContain("100");
      expect(out).toMatch(/\d+\/24 files \| \d+ chunks \| [\d.]+ files\/s \| ETA \S+/);
      // The failure is printed above the bar, which is then redrawn.
      const CLEAR = "\r\x1b[K";
      const failure = out.indexOf(`${CLEAR}✗ broken/tty-corrupt-0.pdf: not a readable PDF`);
      expect(failure).toBeGreaterThanOrEqual(0);
      const lineEnd = out.indexOf("\n", failure);
      expect(out.slice(lineEnd + 1, lineEnd + 1 + CLEAR.length + 1)).toBe(`${CLEAR}[`);
      expect(out).toMatch(/added\s+23/);
    } finally {
      upstream.configure({});
    }
  });
});

describe("ragway ingest with no gateway to talk to", () => {
  it("exits 1 with one cannot-reach line naming the URL, before touching any file", async () => {
    // A port that was free a moment ago: nothing listens there now.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const run = await runCli(["ingest", corpusDir, "--url", url, "--base", corpusDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`ragway ingest: cannot reach ${url}: ECONNREFUSED`);
    expect(run.stderr.match(/cannot reach/g)).toHaveLength(1);
    expect(run.stderr).not.toMatch(/lookup failed|retry \d/);
    expect(run.stdout).toBe("");
  });
});
