// `ragway ingest` as a whole against a port nothing listens on: one clear "cannot reach" failure,
// before any file is looked up or retried.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestCommand } from "../../../cli/ingest/command.js";

/** A localhost port that was free a moment ago and has nothing listening on it now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

function output() {
  let text = "";
  return { write: (chunk: string) => ((text += chunk), true), isTTY: false, text: () => text };
}

describe("ragway ingest with the gateway down", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ragway-cli-down-"));
    for (const name of ["a.md", "b.md", "c.txt"]) await writeFile(join(dir, name), `# ${name}\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("fails once with cannot reach <url>, without per-file errors or retries", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const stdout = output();
    const stderr = output();
    const code = await ingestCommand([dir, "--url", url, "--progress", "plain"], {
      stdout,
      stderr,
      env: {},
      cwd: dir,
      version: "test",
    });
    expect(code).toBe(1);
    expect(stderr.text()).toContain(`ragway ingest: cannot reach ${url}: ECONNREFUSED\n`);
    expect(stderr.text()).toContain("npm run dev");
    expect(stderr.text().match(/cannot reach/g)).toHaveLength(1);
    expect(stderr.text()).not.toMatch(/lookup failed|retry|a\.md/);
    expect(stdout.text()).toBe("");
  });
});
