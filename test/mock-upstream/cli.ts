// `npm run mock-upstream`: the mock OpenAI-compatible upstream as a standalone process.
// Flags set the baseline faults (`POST /_mock/reset` restores them; `POST /_mock/faults` replaces
// them until then); SIGINT/SIGTERM close all sockets before exiting.
import { parseArgs } from "node:util";
import { startMockUpstream, type Faults } from "./server.js";

const USAGE = `usage: npm run mock-upstream -- [--port 8788] [--host 127.0.0.1] [--latency-ms N]
  [--error-rate 0..1] [--error-status 429,503] [--seed N] [--hang-ms N] [--retry-after S]
--error-status without --error-rate fails every chat/embedding request.`;

function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "latency-ms": { type: "string" },
      "error-rate": { type: "string" },
      "error-status": { type: "string" },
      seed: { type: "string" },
      "hang-ms": { type: "string" },
      "retry-after": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const statuses = values["error-status"]?.split(",").map((s) => num("error-status", s) ?? 500);
  const faults: Faults = {
    latencyMs: num("latency-ms", values["latency-ms"]),
    errorRate: num("error-rate", values["error-rate"]),
    errorStatus: statuses?.length === 1 ? statuses[0] : statuses,
    seed: num("seed", values.seed),
    hangMs: num("hang-ms", values["hang-ms"]),
    retryAfter: values["retry-after"],
  };
  const defined = Object.fromEntries(Object.entries(faults).filter(([, v]) => v !== undefined));

  const port = num("port", values.port ?? process.env.MOCK_PORT) ?? 8788;
  const host = values.host ?? "127.0.0.1";
  const upstream = await startMockUpstream({ port, host, faults: defined });
  console.log(`mock upstream listening on ${upstream.url}`);
  if (Object.keys(defined).length > 0) console.log(`faults: ${JSON.stringify(defined)}`);

  const shutdown = (signal: string): void => {
    console.log(`${signal}: closing mock upstream`);
    upstream.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  console.error(USAGE);
  process.exit(1);
});
