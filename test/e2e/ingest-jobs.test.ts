// `ragway ingest` through ingestion jobs, end to end: the real CLI against `wrangler dev` (the
// offline provider, the queue consumer running locally), a folder large enough to go as jobs,
// then a query that finds what the jobs stored; a run killed once its first job finished, and
// the re-run that skips what the jobs stored.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startCli, summaryCounts } from "../support/run-cli.js";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.js";

let dev: WranglerDev;
let root: string;
const ADMIN_TOKEN = "e2e-admin-token-0123456789";

async function folder(name: string, count: number, fact?: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const body =
      i === 7 && fact
        ? fact
        : `Inventory sheet ${i} of ${name}: aisle ${i % 9} holds ${i * 3} boxes of item ${i}.`;
    await writeFile(
      join(dir, `sheet-${String(i).padStart(3, "0")}.md`),
      `# Sheet ${i}\n\n${body}\n`,
    );
  }
  return dir;
}

/** How many of `count` sheets of a folder the index holds (a lookup reads the index itself). */
async function stored(prefix: string, count: number): Promise<number> {
  const ids = Array.from(
    { length: count },
    (_, i) => `${prefix}sheet-${String(i).padStart(3, "0")}.md`,
  );
  const res = await fetch(`${dev.url}/v1/documents/lookup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ids }),
  });
  return (await res.json<{ documents: unknown[] }>()).documents.length;
}

beforeAll(async () => {
  dev = await startWranglerDev({ vars: { SEED_SAMPLE_CORPUS: "false", ADMIN_TOKEN } });
  root = await mkdtemp(join(tmpdir(), "ragway-jobs-e2e-"));
});

afterAll(async () => {
  await dev?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("ragway ingest through jobs against wrangler dev", () => {
  it("ingests a 130-file folder as jobs, shows their progress, and the query finds it", async () => {
    const dir = await folder(
      "manual",
      130,
      "The emergency valve on boiler nine is painted violet and opens counter-clockwise.",
    );
    const run = await runCli([
      "ingest",
      dir,
      "--url",
      dev.url,
      "--base",
      dir,
      "--progress",
      "plain",
      "--batch-size",
      "50",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(summaryCounts(run.stdout)).toMatchObject({ added: 130, failed: 0 });
    expect(run.stdout).toMatch(/requests \(3 jobs\)/);
    expect(run.stderr.match(/^job job_[0-9a-f]{32}: \d+ done, 0 failed$/gm)).toHaveLength(3);
    expect(run.stderr).toMatch(/jobs: \d+ done, \d+ failed, \d+ remaining/);

    const res = await fetch(`${dev.url}/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "What colour is the emergency valve on boiler nine?" }),
    });
    expect(res.status).toBe(200);
    const body = await res.json<{ sources: Array<{ id: string }> }>();
    expect(body.sources.map((s) => s.id)).toContain("sheet-007.md");

    const again = await runCli(["ingest", dir, "--url", dev.url, "--base", dir]);
    expect(again.code).toBe(0);
    expect(summaryCounts(again.stdout)).toMatchObject({ added: 0, unchanged: 130 });
    expect(again.stdout).not.toMatch(/jobs\)/);
  });

  it("resumes a run killed after submitting its jobs without sending what they stored", async () => {
    const dir = await folder("ledger", 150);
    const { child, done } = startCli(
      [
        "ingest",
        dir,
        "--url",
        dev.url,
        "--base",
        dir,
        "--prefix",
        "ledger/",
        "--progress",
        "plain",
        "--batch-size",
        "25",
      ],
      {},
    );
    let err = "";
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    // Killed once the first job has finished: the others were submitted and keep running.
    while (!/^job job_/m.test(err) && child.exitCode === null) await sleep(50);
    child.kill("SIGKILL");
    await done;
    // The first job's documents are stored; the other jobs the CLI submitted keep running.
    const fromJobs = await stored("ledger/", 150);
    expect(fromJobs).toBeGreaterThanOrEqual(25);

    const rerun = await runCli([
      "ingest",
      dir,
      "--url",
      dev.url,
      "--base",
      dir,
      "--prefix",
      "ledger/",
    ]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const counts = summaryCounts(rerun.stdout);
    // What the jobs had stored (at least) is skipped, the rest sent; nothing is stored twice.
    expect(counts.unchanged).toBeGreaterThanOrEqual(fromJobs);
    expect((counts.added ?? 0) + (counts.unchanged ?? 0)).toBe(150);
    expect(counts.failed).toBe(0);
    expect(await stored("ledger/", 150)).toBe(150);
  });
});
