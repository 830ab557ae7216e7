// `ragway ingest` through ingestion jobs, end to end: the real CLI against `wrangler dev` (the
// offline provider, the queue consumer running locally), a folder large enough to go as jobs,
// then a query that finds what the jobs stored; a run killed after its jobs were submitted, and
// the re-run that sends only what the jobs had not stored.
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

async function documents(): Promise<number> {
  const res = await fetch(`${dev.url}/v1/stats`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return (await res.json<{ index: { documents: number } }>()).index.documents;
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
    const before = await documents();
    const { child, done } = startCli(
      ["ingest", dir, "--url", dev.url, "--base", dir, "--progress", "plain", "--batch-size", "25"],
      {},
    );
    let err = "";
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    // Killed once the first job has finished: the others were submitted and keep running.
    while (!/^job job_/m.test(err) && child.exitCode === null) await sleep(50);
    child.kill("SIGKILL");
    await done;
    // The server finishes the jobs it accepted without the CLI: wait until the count holds still
    // for three seconds (the local consumer takes a batch at least every second).
    const deadline = Date.now() + 60_000;
    let stored = await documents();
    let still = 0;
    while (Date.now() < deadline && still < 3) {
      await sleep(1000);
      const now = await documents();
      still = now === stored && now > before ? still + 1 : 0;
      stored = now;
    }
    const fromJobs = stored - before;
    expect(fromJobs).toBeGreaterThan(0);

    const rerun = await runCli(["ingest", dir, "--url", dev.url, "--base", dir]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const counts = summaryCounts(rerun.stdout);
    expect(counts.unchanged).toBe(fromJobs);
    expect(counts.added).toBe(150 - fromJobs);
    expect(await documents()).toBe(before + 150);
  });
});
