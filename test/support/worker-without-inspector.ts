// Serves a Worker the way `wrangler dev --env dev` does (same wrangler, same bundling, workerd,
// Durable Objects, KV and Queues simulation, persisted state), but with no V8 inspector attached,
// as a deployed Worker runs: no DevTools session receives every console call and subrequest.
// wrangler's CLI always attaches one, so this starts the same dev server through wrangler's own
// API. Started by startWranglerDev({ inspector: false }); reads its settings as JSON from
// RAGWAY_SERVE, prints `ready <url>` once serving, and stops on SIGTERM.
import { unstable_startWorker } from "wrangler";
import { z } from "zod";

const settings = z
  .object({
    config: z.string(),
    port: z.number().int(),
    persist: z.string(),
    logLevel: z.enum(["info", "log"]),
    vars: z.record(z.string(), z.string()),
  })
  .parse(JSON.parse(process.env.RAGWAY_SERVE ?? "{}"));

const worker = await unstable_startWorker({
  config: settings.config,
  env: "dev",
  bindings: Object.fromEntries(
    Object.entries(settings.vars).map(([key, value]) => [key, { type: "plain_text", value }]),
  ),
  dev: {
    inspector: false,
    server: { hostname: "127.0.0.1", port: settings.port },
    persist: settings.persist,
    logLevel: settings.logLevel,
    watch: false,
  },
});
await worker.ready;
console.log(`ready ${(await worker.url).origin}`);

let stopping = false;
process.on("SIGTERM", () => {
  if (stopping) return;
  stopping = true;
  worker.dispose().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
