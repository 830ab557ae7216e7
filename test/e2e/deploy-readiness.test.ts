// Deploy readiness, offline: the production bundle builds exactly as `npm run deploy` would
// ship it, production's settings pass the Worker's own config schema, and the committed Env type
// is what `wrangler types` generates from wrangler.toml (so bindings and types cannot drift).
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, sep } from "node:path";
import { format, resolveConfig } from "prettier";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../workers/env.js";
import {
  buildBundle,
  checkTypes,
  readWranglerConfig,
  regenerateTypes,
  TYPES_FILE,
  type Bundle,
} from "../support/deploy-bundle.js";

let out: string;
let bundle: Bundle;
let plain: Bundle;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "ragway-bundle-"));
  bundle = await buildBundle(join(out, "production"), "production");
  plain = await buildBundle(join(out, "top-level"));
});
afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

function bindingsOf(env?: string) {
  const c = readWranglerConfig(env);
  return {
    config: c,
    names: {
      kv: c.kv_namespaces.map((k) => k.binding).sort(),
      durableObjects: c.durable_objects.bindings.map((d) => `${d.name}:${d.class_name}`).sort(),
      vars: Object.keys(c.vars).sort(),
      queueProducers: c.queues.producers.map((p) => p.binding).sort(),
    },
  };
}

/** The ingestion queue's consumers, with the queue names relative to the producer's queue. */
function ingestConsumers(env?: string) {
  const { queues } = readWranglerConfig(env);
  const ingest = queues.producers.find((p) => p.binding === "INGEST_QUEUE")?.queue ?? "";
  return {
    ingest,
    consumers: queues.consumers.map((c) => ({
      ...c,
      queue: c.queue.replace(ingest, "<ingest>"),
      ...(c.dead_letter_queue
        ? { dead_letter_queue: c.dead_letter_queue.replace(ingest, "<ingest>") }
        : {}),
    })),
  };
}

describe("the production deploy bundle", () => {
  it("builds offline with wrangler deploy --dry-run --env production", () => {
    expect(bundle.output).toContain("--dry-run: exiting now.");
    expect(bundle.code).toBe(0);
    expect(bundle.files.map((f) => f.name)).toContain("index.js");
    expect(bundle.bytes).toBeGreaterThan(0);
    expect(bundle.gzipBytes).toBeLessThan(bundle.bytes);
  });

  it("binds everything the Worker uses and sets production's variables", () => {
    for (const line of [
      "env.INDEX (IndexObject)",
      "env.LIMITER (LimiterObject)",
      "env.METRICS (MetricsObject)",
      "env.JOBS (JobsObject)",
      "env.INGEST_QUEUE (ragway-production-ingest)",
      "env.CACHE (",
      'env.ENVIRONMENT ("production")',
      'env.ALLOW_ANONYMOUS ("false")',
      'env.SEED_SAMPLE_CORPUS ("false")',
    ]) {
      expect(bundle.output).toContain(line);
    }
    // Wrangler warns when a top-level binding or var is missing from the environment.
    expect(bundle.output).not.toMatch(/not inherited/);
  });

  it("repeats every binding and variable of the top level, as development does", () => {
    const top = bindingsOf();
    const prod = bindingsOf("production");
    const dev = bindingsOf("dev");
    expect(prod.names).toEqual(top.names);
    expect(prod.config.migrations).toEqual(top.config.migrations);
    expect(prod.config.name).toBe("ragway-production");
    // Development adds only its documented admin token (production takes it as a secret).
    expect(dev.names).toEqual({ ...top.names, vars: [...top.names.vars, "ADMIN_TOKEN"].sort() });
    expect(dev.config.name).toBe("ragway");
  });

  it("consumes the ingestion queue and its dead-letter queue alike in every environment", () => {
    const top = ingestConsumers();
    expect(top.ingest).toBe("ragway-ingest");
    // Production has queues of its own: a queue takes one consumer, and both Workers may be deployed.
    expect(ingestConsumers("production").ingest).toBe("ragway-production-ingest");
    expect(ingestConsumers("dev").ingest).toBe("ragway-ingest");
    expect(top.consumers).toEqual([
      {
        queue: "<ingest>",
        max_batch_size: 10,
        max_retries: 3,
        dead_letter_queue: "<ingest>-dlq",
      },
      { queue: "<ingest>-dlq", max_batch_size: 10, max_retries: 10 },
    ]);
    expect(ingestConsumers("production").consumers).toEqual(top.consumers);
    expect(ingestConsumers("dev").consumers).toEqual(top.consumers);
  });

  it("passes the Worker's config schema with the secrets set, and refuses to start without them", () => {
    const { config } = bindingsOf("production");
    const vars = config.vars;
    const parsed = parseConfig({ ...vars, ADMIN_TOKEN: "a-production-admin-token-of-32-chars" });
    expect(parsed).toMatchObject({ ENVIRONMENT: "production", ALLOW_ANONYMOUS: false });
    expect(parsed.SEED_SAMPLE_CORPUS).toBe(false);
    expect(() => parseConfig(vars)).toThrow(/ADMIN_TOKEN is required in production/);
  });
});

describe("a plain wrangler deploy (the top level)", () => {
  it("builds and ships production's settings, never development's", () => {
    expect(plain.code).toBe(0);
    for (const line of [
      'env.ENVIRONMENT ("production")',
      'env.ALLOW_ANONYMOUS ("false")',
      'env.SEED_SAMPLE_CORPUS ("false")',
      'env.ANONYMOUS_RPM ("30")',
    ]) {
      expect(plain.output).toContain(line);
    }
    expect(plain.output).not.toContain("ragway-dev-admin-token");
  });

  it("refuses to start without a long, secret admin token, naming it only in the error", () => {
    const { vars } = readWranglerConfig();
    expect(vars).toMatchObject({ ENVIRONMENT: "production", ALLOW_ANONYMOUS: "false" });
    expect(() => parseConfig(vars)).toThrow(/ADMIN_TOKEN is required in production/);
    expect(() => parseConfig({ ...vars, ADMIN_TOKEN: "short-but-over-8" })).toThrow(
      /ADMIN_TOKEN must be at least 32 characters in production/,
    );
    expect(() => parseConfig({ ...vars, ADMIN_TOKEN: "ragway-dev-admin-token" })).toThrow(
      /published development token/,
    );
  });
});

describe("npm run dev (the dev environment)", () => {
  it("is selected by the dev script, with anonymous access, the sample corpus and an admin token", async () => {
    const pkg = JSON.parse(await readFile("package.json", "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.dev).toBe("node scripts/dev.mjs");
    expect(await readFile("scripts/dev.mjs", "utf8")).toContain('"dev", "--env", "dev"');
    expect(pkg.scripts.deploy).toBe("wrangler deploy --env production");
    const { vars } = readWranglerConfig("dev");
    const config = parseConfig(vars);
    expect(config).toMatchObject({
      ENVIRONMENT: "development",
      ALLOW_ANONYMOUS: true,
      SEED_SAMPLE_CORPUS: true,
      ADMIN_TOKEN: "ragway-dev-admin-token",
    });
  });
});

/** Every file under `directory`, as paths relative to it. */
async function filesUnder(directory: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(directory, { recursive: true })) {
    if ((await stat(join(directory, entry))).isFile()) out.push(entry.split(sep).join("/"));
  }
  return out.sort();
}

describe("the console in the deploy bundle", () => {
  it("carries every file under public/ as a module of its own, byte for byte", async () => {
    // wrangler names each text module by its content's SHA-1 and its file name.
    const files = await filesUnder("public");
    expect(files).toContain("index.html");
    expect(files).toContain("console/core.js");
    const modules = bundle.files.map((f) => f.name);
    for (const file of files) {
      const sha1 = createHash("sha1")
        .update(await readFile(join("public", file)))
        .digest("hex");
      expect(modules, file).toContain(`${sha1}-${basename(file)}`);
    }
  });
});

describe("the committed Env type", () => {
  it("is up to date with wrangler.toml (wrangler types --check)", async () => {
    const run = await checkTypes();
    expect(run.output).toContain("up to date");
    expect(run.code).toBe(0);
  });

  it("has exactly the content wrangler types generates, up to formatting", async () => {
    const { run, text } = await regenerateTypes();
    expect(run.code).toBe(0);
    const options = { ...(await resolveConfig(TYPES_FILE)), parser: "typescript" as const };
    const body = async (source: string): Promise<string> =>
      (await format(source, options))
        .split("\n")
        .filter((line) => !line.startsWith("// Generated by Wrangler"))
        .join("\n");
    expect(await body(text)).toBe(await body(await readFile(TYPES_FILE, "utf8")));
  });

  it("is reported stale when wrangler.toml gains a binding", async () => {
    const drifted = ".wrangler-drift-check.toml";
    const toml = await readFile("wrangler.toml", "utf8");
    await writeFile(drifted, `${toml}\n[[kv_namespaces]]\nbinding = "DRIFT"\nid = "1111"\n`);
    try {
      const run = await checkTypes(drifted);
      expect(run.code).not.toBe(0);
      expect(run.output).toMatch(/out of date/);
    } finally {
      await rm(drifted, { force: true });
    }
  });
});
