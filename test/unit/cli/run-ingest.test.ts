// The ingest run against an in-memory gateway: exact tallies, re-runs that send nothing or just
// the edited file, resuming after a failure, batch refusals narrowed to the bad file, retries.
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createIngestClient } from "../../../cli/ingest/client.js";
import { DEFAULT_LIMITS } from "../../../cli/ingest/batches.js";
import type { Reporter } from "../../../cli/ingest/progress.js";
import { runIngest, type IngestOptions } from "../../../cli/ingest/run-ingest.js";
import { emptyTally, type Tally } from "../../../cli/ingest/summary.js";
import { createFakeGateway, type FakeGateway } from "../../fakes/fake-gateway.js";
import { brokenPdf, makePdf } from "../../support/make-pdf.js";

let dir: string;
let gw: FakeGateway;
const sleeps: number[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ragway-ingest-"));
  gw = createFakeGateway();
  sleeps.length = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(spec: Record<string, string | Uint8Array>): Promise<void> {
  for (const [name, content] of Object.entries(spec)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), content);
  }
}

function recorder(): Reporter & { notes: string[] } {
  const notes: string[] = [];
  return { notes, update: () => undefined, note: (t) => notes.push(t), finish: () => undefined };
}

async function run(
  overrides: Partial<IngestOptions> = {},
): Promise<{ tally: Tally; notes: string[]; printed: string[] }> {
  const tally = emptyTally();
  const reporter = recorder();
  const printed: string[] = [];
  const client = createIngestClient({
    url: "http://gw.test",
    key: "rk_test",
    fetch: gw.fetch,
    timeoutMs: 1000,
    now: () => 0,
    userAgent: "test",
    retry: {
      retries: 2,
      baseMs: 10,
      maxMs: 100,
      maxRetryAfterMs: 60_000,
      random: () => 0,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      onRetry: () => tally.retries++,
    },
  });
  await runIngest(
    {
      paths: [dir],
      base: dir,
      prefix: "",
      metadata: {},
      concurrency: 2,
      limits: DEFAULT_LIMITS,
      force: false,
      dryRun: false,
      jobs: "never",
      ...overrides,
    },
    {
      client,
      reporter,
      tally,
      readFile: (p) => readFile(p),
      print: (l) => printed.push(l),
      pollMs: 5,
      sleep: async () => undefined,
    },
  );
  return { tally, notes: reporter.notes, printed };
}

const counts = (t: Tally) => ({
  added: t.added,
  updated: t.updated,
  unchanged: t.unchanged,
  empty: t.empty,
  failed: t.failed.map((f) => f.path).sort(),
});

describe("runIngest", () => {
  it("adds every readable file once, reports the unreadable ones, ignores other types", async () => {
    await files({
      "a.md": "# Alpha\n\nAlpha text.",
      "sub/b.txt": "Beta text.",
      "sub/c.html": "<title>Gamma</title><p>Gamma text.</p>",
      "d.pdf": makePdf(["Delta text."]),
      "bad.pdf": brokenPdf(),
      "bad.txt": new Uint8Array([0xff, 0xfe, 0x41]),
      "empty.md": "   ",
      "logo.png": new Uint8Array([1, 2, 3]),
      ".hidden/x.md": "never read",
    });
    const { tally, notes } = await run();
    expect(counts(tally)).toEqual({
      added: 4,
      updated: 0,
      unchanged: 0,
      empty: 1,
      failed: ["bad.pdf", "bad.txt"],
    });
    expect(tally.ignored).toBe(1);
    expect([...gw.docs.keys()].sort()).toEqual(["a.md", "d.pdf", "sub/b.txt", "sub/c.html"]);
    expect(gw.docs.get("d.pdf")?.metadata).toMatchObject({ file_type: "pdf" });
    expect(gw.docs.get("a.md")?.metadata.content_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(notes).toEqual(
      expect.arrayContaining([expect.stringMatching(/^✗ bad\.txt: not UTF-8/)]),
    );
  });

  it("sends nothing on a second run, and only the edited file on a third", async () => {
    await files({ "a.md": "Alpha.", "b.md": "Beta.", "c.md": "Gamma." });
    await run();
    const uploadsAfterFirst = gw.uploads();
    const second = await run();
    expect(counts(second.tally)).toMatchObject({ added: 0, updated: 0, unchanged: 3 });
    expect(gw.uploads()).toBe(uploadsAfterFirst);
    await files({ "b.md": "Beta, edited." });
    const third = await run();
    expect(counts(third.tally)).toMatchObject({ added: 0, updated: 1, unchanged: 2 });
    expect(gw.log.at(-1)).toBe("POST /v1/documents (1)");
    expect(gw.docs.get("b.md")?.text).toBe("Beta, edited.");
  });

  it("re-sends files whose extra metadata changed", async () => {
    await files({ "a.md": "Alpha." });
    await run({ metadata: { team: "hr" } });
    const again = await run({ metadata: { team: "ops" } });
    expect(again.tally.updated).toBe(1);
    expect(gw.docs.get("a.md")?.metadata.team).toBe("ops");
  });

  it("completes what an interrupted run left, without sending the rest twice", async () => {
    const spec: Record<string, string> = {};
    for (let i = 0; i < 30; i++) spec[`f${String(i).padStart(2, "0")}.md`] = `File ${i}.`;
    await files(spec);
    // The network dies after two uploads of ten.
    const realFetch = gw.fetch;
    let uploads = 0;
    gw.fetch = async (input, init) => {
      if (
        (input instanceof Request ? input.url : input.toString()).endsWith("/v1/documents") &&
        ++uploads > 2
      )
        gw.faults.down = true;
      return realFetch(input, init);
    };
    const first = await run({ limits: { ...DEFAULT_LIMITS, maxDocuments: 10 }, concurrency: 1 });
    expect(first.tally.added).toBe(20);
    expect(first.tally.failed).toHaveLength(10);
    gw.faults.down = false;
    gw.fetch = realFetch;
    const before = gw.log.length;
    const second = await run({ limits: { ...DEFAULT_LIMITS, maxDocuments: 10 } });
    expect(counts(second.tally)).toMatchObject({ added: 10, unchanged: 20, failed: [] });
    expect(gw.log.slice(before)).toEqual([
      "POST /v1/documents/lookup (30)",
      "POST /v1/documents (10)",
    ]);
    expect(gw.docs.size).toBe(30);
  });

  it("narrows a refused batch down to the file the server rejects", async () => {
    const spec: Record<string, string> = {};
    for (let i = 0; i < 8; i++) spec[`f${i}.md`] = i === 5 ? "contains POISON" : `File ${i}.`;
    await files(spec);
    gw.faults.poison = "POISON";
    const { tally } = await run();
    expect(counts(tally)).toMatchObject({ added: 7, failed: ["f5.md"] });
    expect(tally.failed[0]?.message).toMatch(/^HTTP 400 invalid_request: blocked content/);
  });

  it("retries a 429 after the server's Retry-After and a 503 with backoff", async () => {
    await files({ "a.md": "Alpha." });
    gw.faults.failNext.push({ status: 429, retryAfter: "3" }, { status: 503 });
    const { tally } = await run();
    expect(tally.added).toBe(1);
    expect(tally.retries).toBe(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(3000);
  });

  it("fails the files of a request that stays unavailable, and goes on", async () => {
    await files({ "a.md": "Alpha." });
    gw.faults.failNext.push({ status: 503 }, { status: 503 }, { status: 503 });
    const { tally } = await run();
    expect(tally.failed).toEqual([
      { path: "a.md", message: expect.stringMatching(/^lookup failed: HTTP 503/) as unknown },
    ]);
  });

  it("sends everything when the server has no lookup route", async () => {
    await files({ "a.md": "Alpha." });
    gw.faults.noLookup = true;
    await run();
    const again = await run();
    expect(again.tally.unchanged).toBe(1);
    expect(again.notes[0]).toMatch(/no lookup route/);
    expect(gw.uploads()).toBe(2);
  });

  it("stops at once, saying why, when the server refuses the key or namespace", async () => {
    await files({ "a.md": "Alpha.", "b.md": "Beta." });
    gw.faults.failNext = [{ status: 403 }];
    const { tally, notes } = await run();
    expect(tally.stopped).toBe("HTTP 403 fault: fault");
    expect(notes).toContain("✗ HTTP 403 fault: fault");
    expect(tally.failed.map((f) => f.path).sort()).toEqual(["a.md", "b.md"]);
    expect(gw.uploads()).toBe(0);
    expect(gw.log).toEqual(["403 /v1/documents/lookup"]);
  });

  it("prints the plan on a dry run and writes nothing", async () => {
    await files({ "a.md": "Alpha.", "b.md": "Beta." });
    await run({ paths: [join(dir, "a.md")] });
    const { tally, printed } = await run({ dryRun: true });
    expect(counts(tally)).toMatchObject({ added: 1, updated: 0, unchanged: 1 });
    expect(printed).toEqual([
      "add    b.md -> b.md (5 chars)",
      "would send 1 upload request(s), 0.00 MB of documents",
    ]);
    expect(gw.uploads()).toBe(1);
  });

  it("says so when there is nothing to ingest", async () => {
    await files({ "image.png": new Uint8Array([1]) });
    const { tally, notes } = await run();
    expect(notes).toEqual(["no .md, .txt, .html or .pdf files found"]);
    expect(tally.ignored).toBe(1);
    expect(gw.log).toEqual([]);
  });

  it("sends unchanged files again with force, and the server keeps them unchanged", async () => {
    await files({ "a.md": "Alpha." });
    await run();
    const forced = await run({ force: true });
    expect(forced.tally.unchanged).toBe(1);
    expect(gw.uploads()).toBe(2);
  });
});

describe("runIngest with ingestion jobs", () => {
  it("uploads a large run as jobs, follows them to the end and tallies their documents", async () => {
    const spec: Record<string, string> = {};
    for (let i = 0; i < 120; i++) spec[`notes/n${i}.md`] = `# Note ${i}\n\nText of note ${i}.`;
    await files(spec);
    gw.faults.jobPolls = 3;
    const { tally, notes } = await run({
      jobs: "auto",
      limits: { ...DEFAULT_LIMITS, maxDocuments: 50 },
    });
    expect(counts(tally)).toEqual({ added: 120, updated: 0, unchanged: 0, empty: 0, failed: [] });
    expect(tally.jobs).toBe(3);
    expect(tally.chunks).toBe(120);
    expect(gw.docs.size).toBe(120);
    expect(notes.filter((n) => /^job job_\w+: \d+ done, 0 failed$/.test(n))).toHaveLength(3);
    // Every job was polled until it finished.
    expect([...gw.jobs.values()].every((j) => j.view.remaining === 0)).toBe(true);
  });

  it("uploads the few changed files of a large run directly", async () => {
    const spec: Record<string, string> = {};
    for (let i = 0; i < 120; i++) spec[`notes/n${i}.md`] = `Note ${i}.`;
    await files(spec);
    await run({ jobs: "auto" });
    const jobsBefore = gw.jobs.size;
    await files({ "notes/n3.md": "Note 3, edited." });
    const { tally } = await run({ jobs: "auto" });
    expect(counts(tally)).toEqual({ added: 0, updated: 1, unchanged: 119, empty: 0, failed: [] });
    expect(tally.jobs).toBe(0);
    expect(gw.jobs.size).toBe(jobsBefore);
  });

  it("reports a document its job failed with the job's reason, and the rest as ingested", async () => {
    await files({ "a.md": "fine", "b.md": "has POISON inside", "c.md": "also fine" });
    gw.faults.poison = "POISON";
    const { tally } = await run({ jobs: "always" });
    expect(counts(tally)).toEqual({
      added: 2,
      updated: 0,
      unchanged: 0,
      empty: 0,
      failed: ["b.md"],
    });
    expect(tally.failed[0]?.message).toBe("bad_request (400): blocked content");
  });

  it("re-runs after a job stored everything without sending anything again", async () => {
    await files({ "a.md": "alpha", "b.md": "beta" });
    await run({ jobs: "always" });
    const uploads = gw.uploads();
    const again = await run({ jobs: "always" });
    expect(counts(again.tally)).toEqual({
      added: 0,
      updated: 0,
      unchanged: 2,
      empty: 0,
      failed: [],
    });
    expect(gw.uploads()).toBe(uploads);
  });

  it("counts a changed file its job stored as updated", async () => {
    await files({ "a.md": "alpha" });
    await run({ jobs: "always" });
    await files({ "a.md": "alpha, edited" });
    const { tally } = await run({ jobs: "always" });
    expect(counts(tally)).toEqual({ added: 0, updated: 1, unchanged: 0, empty: 0, failed: [] });
  });

  it("uploads directly when the server refuses async, as one from before jobs does", async () => {
    await files({ "a.md": "alpha", "b.md": "beta" });
    gw.faults.noJobs = true;
    const { tally, notes } = await run({ jobs: "always" });
    expect(counts(tally)).toEqual({ added: 2, updated: 0, unchanged: 0, empty: 0, failed: [] });
    expect(tally.jobs).toBe(0);
    expect(notes).toContain("note: the server does not take ingestion jobs; uploading directly");
  });

  it("fails a job's files with the reason when the job can no longer be read", async () => {
    await files({ "a.md": "alpha" });
    gw.faults.jobPolls = 1_000;
    const original = gw.fetch;
    let polls = 0;
    gw.fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes("/v1/jobs/") && ++polls === 2) gw.jobs.clear();
      return original(input, init);
    };
    const { tally } = await run({ jobs: "always" });
    expect(counts(tally).failed).toEqual(["a.md"]);
    expect(tally.failed[0]?.message).toMatch(/^job job_\w+: HTTP 404 job_not_found/);
  });
});
