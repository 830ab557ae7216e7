// `npm run dev`: `wrangler dev --env dev`, with any further arguments passed on. It only tells
// wrangler not to fetch its `Request.cf` placeholder from workers.cloudflare.com at start: ragway
// reads nothing from `request.cf`, and offline (where the README says it runs) that fetch fails
// and prints a stack trace. A `CLOUDFLARE_CF_FETCH_ENABLED` of your own wins.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import process from "node:process";

const wrangler = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
const child = spawn(process.execPath, [wrangler, "dev", "--env", "dev", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { CLOUDFLARE_CF_FETCH_ENABLED: "false", ...process.env },
});

// Ctrl-C reaches wrangler from the terminal itself, and wrangler decides how to stop: this
// process waits for it. A signal sent to this process alone is passed on.
process.on("SIGINT", () => undefined);
for (const signal of ["SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("error", (err) => {
  process.stderr.write(`could not start wrangler: ${err.message}\n`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  process.exit(code ?? (signal === "SIGINT" || signal === "SIGTERM" ? 0 : 1));
});
