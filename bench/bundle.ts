// Bench: the production deploy bundle's size (raw and gzip, as uploaded) and the Worker's
// start-up cost: a fresh workerd isolate's time to first response, measured with Miniflare on
// the built bundle against a trivial Worker as the baseline, and wrangler's start-up CPU profile.
// Prints numbers; asserts nothing. `npm run bench:bundle`, or runBundleBench() from bench/run.ts.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { Miniflare, type MiniflareOptions } from "miniflare";
import {
  buildBundle,
  bundleModules,
  readWranglerConfig,
  wrangler,
  type Bundle,
} from "../test/support/deploy-bundle.js";

const RUNS = 5;
const WARM_REQUESTS = 50;

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

interface Startup {
  readyMs: number;
  firstMs: number;
  warmMs: number;
}

/** Starts a fresh runtime on `options`; times ready, the first /health and warm /health. */
async function measure(options: MiniflareOptions): Promise<Startup> {
  const t0 = performance.now();
  const mf = new Miniflare(options);
  try {
    await mf.ready;
    const tReady = performance.now();
    const first = await mf.dispatchFetch("http://localhost/health");
    await first.text();
    if (!first.ok) throw new Error(`first /health answered ${first.status}`);
    const tFirst = performance.now();
    const warm: number[] = [];
    for (let i = 0; i < WARM_REQUESTS; i++) {
      const t = performance.now();
      await (await mf.dispatchFetch("http://localhost/health")).text();
      warm.push(performance.now() - t);
    }
    return { readyMs: tReady - t0, firstMs: tFirst - t0, warmMs: median(warm) };
  } finally {
    await mf.dispose();
  }
}

/** The production bindings, as Miniflare options, around either the bundle or a trivial
 * script exporting the same Durable Object classes (the baseline: same runtime work, no code). */
function workerOptions(bundle: Bundle | null): MiniflareOptions {
  const config = readWranglerConfig("production");
  const classes = config.durable_objects.bindings.map((d) => d.class_name);
  // The modules are listed, not discovered: discovery would parse the bundle in Node first,
  // which is Miniflare's cost, not the isolate's.
  const script = bundle
    ? bundleModules(bundle)
    : {
        modules: true,
        script: [
          'import { DurableObject } from "cloudflare:workers";',
          ...classes.map((c) => `export class ${c} extends DurableObject {}`),
          'export default { fetch() { return new Response("ok"); } };',
        ].join("\n"),
      };
  return {
    ...script,
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags,
    // Production refuses admin tokens under 32 characters.
    bindings: { ...config.vars, ADMIN_TOKEN: "bench-admin-token-0123456789abcdef" },
    kvNamespaces: config.kv_namespaces.map((k) => k.binding),
    durableObjects: Object.fromEntries(
      config.durable_objects.bindings.map((d) => [
        d.name,
        { className: d.class_name, useSQLite: true },
      ]),
    ),
    // The Worker logs a JSON line per request; keep the bench output to its numbers.
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.resume();
      stderr.resume();
    },
  };
}

/** Builds the production bundle and prints its size and start-up cost. */
export async function runBundleBench(): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), "ragway-bench-bundle-"));
  try {
    const bundle = await buildBundle(join(out, "dist"), "production");
    if (bundle.code !== 0) throw new Error(`deploy dry-run failed:\n${bundle.output}`);
    const main = bundle.files.find((f) => f.name === "index.js");
    console.log(
      `bundle (production): ${kib(bundle.bytes)} raw, ${kib(bundle.gzipBytes)} gzip, ` +
        `${bundle.files.length} modules; index.js ${kib(main?.bytes ?? 0)} raw, ${kib(main?.gzipBytes ?? 0)} gzip`,
    );

    // Source maps are not uploaded (no upload_source_maps); Miniflare would load and parse them.
    for (const name of await readdir(bundle.outdir)) {
      if (name.endsWith(".map")) await rm(join(bundle.outdir, name));
    }
    const ours: Startup[] = [];
    const base: Startup[] = [];
    for (let i = 0; i < RUNS; i++) {
      base.push(await measure(workerOptions(null)));
      ours.push(await measure(workerOptions(bundle)));
    }
    const m = (xs: Startup[], k: keyof Startup): number => median(xs.map((x) => x[k]));
    console.log(
      `start-up (fresh isolate, median of ${RUNS}): first /health ${m(ours, "firstMs").toFixed(0)} ms ` +
        `after runtime start (ready ${m(ours, "readyMs").toFixed(0)} ms); same bindings, trivial script ` +
        `${m(base, "firstMs").toFixed(0)} ms; ragway's own cost ≈ ` +
        `${(m(ours, "firstMs") - m(base, "firstMs")).toFixed(0)} ms; warm /health p50 ` +
        `${m(ours, "warmMs").toFixed(2)} ms`,
    );

    const profilePath = join(out, "startup.cpuprofile");
    const check = await wrangler([
      "check",
      "startup",
      "--env",
      "production",
      "--outfile",
      profilePath,
    ]);
    if (check.code === 0) {
      const profile = JSON.parse(await readFile(profilePath, "utf8")) as {
        startTime: number;
        endTime: number;
      };
      console.log(
        `start-up CPU profile (wrangler check startup, this machine): ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms (Cloudflare's limit: 1000 ms)`,
      );
    } else {
      console.log(`start-up CPU profile: wrangler check startup failed (exit ${check.code})`);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runBundleBench();
}
