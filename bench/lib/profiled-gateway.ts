// The gateway as the CPU profile takes it: the deploy bundle (`wrangler deploy --dry-run`, env
// dev) on Miniflare with an inspector port that only the profiler connects to. `wrangler dev`
// connects its own session first and enables the console and network domains, so every console
// line and subrequest is serialised for it and a profile over it charges that to whatever ran;
// here nothing else is attached. (V8 still keeps console messages for an attached session, so
// the request line stays somewhat overstated.)
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Miniflare, type MiniflareOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { buildBundle, bundleModules } from "../../test/support/deploy-bundle.js";
import { freePort } from "../../test/support/wrangler-dev.js";

export interface ProfiledGateway {
  url: string;
  /** The inspector's HTTP endpoint (`/json` lists the targets). */
  inspectorUrl: string;
  /** The inspector target's title of the gateway Worker (its Durable Objects run in it too). */
  target: string;
  /** The bundle served (to read a profile's line numbers against); removed by stop(). */
  bundleDir: string;
  stop(): Promise<void>;
}

/** Builds the bundle and serves it with `vars` over the dev environment's variables. */
export async function startProfiledGateway(vars: Record<string, string>): Promise<ProfiledGateway> {
  const dir = await mkdtemp(join(tmpdir(), "ragway-profile-"));
  const bundle = await buildBundle(join(dir, "bundle"), "dev");
  if (bundle.code !== 0) throw new Error(`bundle failed:\n${bundle.output.slice(-2000)}`);
  const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml", "dev");
  const { bindings, ...rest } = workerOptions as Record<string, unknown>;
  const inspectorPort = await freePort();
  const name = "ragway";
  const mf = new Miniflare({
    ...rest,
    name,
    ...bundleModules(bundle),
    bindings: { ...(bindings as Record<string, unknown>), ...vars },
    inspectorPort,
    port: await freePort(),
    // The request lines: read and dropped, as a deployment's log pipeline takes them.
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.resume();
      stderr.resume();
    },
  } as MiniflareOptions);
  const url = (await mf.ready).toString().replace(/\/$/, "");
  return {
    url,
    inspectorUrl: `http://127.0.0.1:${inspectorPort}`,
    target: `core:user:${name}`,
    bundleDir: bundle.outdir,
    stop: async () => {
      await mf.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
