// The deploy artefacts, built exactly as `npm run deploy` would, for the deploy-readiness tests
// and the bundle benchmark: `wrangler deploy --dry-run --outdir`, `wrangler types` (checked and
// regenerated), and the bundle's sizes. Offline; nothing is uploaded.
import { execFile } from "node:child_process";
import { readdir, readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { unstable_readConfig } from "wrangler";
import { z } from "zod";

/** The flags `npm run types` passes; the committed file was generated with these. */
export const TYPES_FLAGS = ["--include-runtime=false", "--strict-vars=false"];
export const TYPES_FILE = "worker-configuration.d.ts";

export interface Exec {
  code: number;
  output: string;
}

/** Runs wrangler with telemetry and colour off; never rejects (the exit code is the result). */
export function wrangler(args: string[], timeoutMs = 120_000): Promise<Exec> {
  return new Promise((resolveRun) => {
    execFile(
      "npx",
      ["wrangler", ...args],
      {
        cwd: process.cwd(),
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolveRun({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

export interface BundleFile {
  name: string;
  bytes: number;
  gzipBytes: number;
}

export interface Bundle extends Exec {
  outdir: string;
  /** The modules that would be uploaded (source maps and wrangler's README left out). */
  files: BundleFile[];
  bytes: number;
  gzipBytes: number;
}

/** Builds the deploy bundle of `env` (top level when undefined) into `outdir`. */
export async function buildBundle(outdir: string, env?: string): Promise<Bundle> {
  await rm(outdir, { recursive: true, force: true });
  const args = ["deploy", "--dry-run", "--outdir", outdir, ...(env ? ["--env", env] : [])];
  const run = await wrangler(args);
  const files: BundleFile[] = [];
  if (run.code === 0) {
    for (const name of (await readdir(outdir)).sort()) {
      if (name.endsWith(".map") || name === "README.md") continue;
      const data = await readFile(join(outdir, name));
      files.push({ name, bytes: data.byteLength, gzipBytes: gzipSync(data).byteLength });
    }
  }
  return {
    ...run,
    outdir: resolve(outdir),
    files,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    gzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0),
  };
}

/**
 * The bundle's modules as Miniflare takes them, listed (discovery would parse the bundle in Node
 * first), the entry first: index.js is the Worker's code, every other module a text rule's file
 * (the sample corpus, the console's files).
 */
export function bundleModules(bundle: Bundle): {
  modulesRoot: string;
  modules: { type: "ESModule" | "Text"; path: string }[];
} {
  return {
    modulesRoot: bundle.outdir,
    modules: [...bundle.files]
      .sort((a, b) => Number(b.name === "index.js") - Number(a.name === "index.js"))
      .map((f) => ({
        type: f.name === "index.js" ? "ESModule" : "Text",
        path: join(bundle.outdir, f.name),
      })),
  };
}

/** `wrangler types --check` against the committed file, with `--config` when given. */
export function checkTypes(config?: string): Promise<Exec> {
  return wrangler([
    "types",
    TYPES_FILE,
    "--check",
    ...TYPES_FLAGS,
    ...(config ? ["--config", config] : []),
  ]);
}

/** Regenerates the types next to the committed file (so import paths match) and returns them. */
export async function regenerateTypes(): Promise<{ run: Exec; text: string }> {
  const path = ".worker-configuration.check.d.ts";
  try {
    const run = await wrangler(["types", path, ...TYPES_FLAGS]);
    const text = run.code === 0 ? await readFile(path, "utf8") : "";
    return { run, text };
  } finally {
    await rm(path, { force: true });
  }
}

const WranglerConfigSchema = z.object({
  name: z.string(),
  compatibility_date: z.string(),
  compatibility_flags: z.array(z.string()),
  vars: z.record(z.string(), z.string()),
  kv_namespaces: z.array(z.object({ binding: z.string(), id: z.string().optional() })),
  durable_objects: z.object({
    bindings: z.array(z.object({ name: z.string(), class_name: z.string() })),
  }),
  migrations: z.array(z.object({ tag: z.string() }).loose()),
  queues: z.object({
    producers: z.array(z.object({ binding: z.string(), queue: z.string() })).default([]),
    consumers: z
      .array(
        z.object({
          queue: z.string(),
          max_batch_size: z.number().optional(),
          max_retries: z.number().optional(),
          dead_letter_queue: z.string().optional(),
        }),
      )
      .default([]),
  }),
});

export type WranglerConfig = z.infer<typeof WranglerConfigSchema>;

/** wrangler.toml as wrangler resolves it for `env` (top level when undefined): the parts used
 * here, validated (wrangler's own Config type does not resolve from its published types). */
export function readWranglerConfig(env?: string): WranglerConfig {
  const read = unstable_readConfig as (args: { config: string; env?: string }) => unknown;
  return WranglerConfigSchema.parse(read({ config: "wrangler.toml", ...(env ? { env } : {}) }));
}
