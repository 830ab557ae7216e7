// `npm run bench:profile -- [chat|stream|miss|hit|ask] [requests]`: a CPU profile of the gateway
// Worker under load (`miss`: a new chat at temperature 0, looked up in the chat cache and filed).
// The profile is taken over an inspector that only the profiler is attached to (the deploy bundle
// on Miniflare, bench/lib/profiled-gateway.ts), not over `wrangler dev`'s, whose own session makes
// every console line and subrequest cost CPU and skews the profile. Prints self time by function
// and by file and inclusive time, so a change to the request path is decided on where the CPU
// goes rather than on wall time (the machine is shared). PROFILE=0 attaches no profiler and
// prints only the CPU `wrangler dev`'s processes spent per request. Asserts nothing.
import { cp, writeFile } from "node:fs/promises";
import WebSocket from "ws";
import { startMockUpstream } from "../test/mock-upstream/server.js";
import { postJson, runLoad } from "./lib/http-load.js";
import {
  askBody,
  chatBody,
  HIT_QUERY,
  highRateKeyHeaders,
  pathGatewayVars,
  startPathGateway,
} from "./lib/path-gateway.js";
import { startProfiledGateway } from "./lib/profiled-gateway.js";
import { treeCpuMs } from "./lib/process-cpu.js";

const kind = process.argv[2] ?? "chat";
const total = Number(process.argv[3] ?? 2000);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A DevTools protocol session with the Worker's isolate. */
function inspector(url: string) {
  const ws = new WebSocket(url);
  let id = 0;
  const pending = new Map<number, (v: unknown) => void>();
  ws.on("message", (data: Buffer) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return {
    opened,
    send: (method: string, params: Record<string, unknown> = {}) =>
      new Promise<unknown>((resolve) => {
        const n = ++id;
        pending.set(n, resolve);
        ws.send(JSON.stringify({ id: n, method, params }));
      }),
    close: () => ws.close(),
  };
}

const upstream = await startMockUpstream({ port: 0 });
try {
  if (process.env.PROFILE === "0") await cpuOnly();
  else await profiled();
} finally {
  await upstream.close();
}

/** The requests of `kind`, to the gateway at `url` with `headers`. */
function requests(url: string, headers: Record<string, string>) {
  return (i: number) =>
    kind === "hit"
      ? { url: `${url}/v1/query`, init: postJson(HIT_QUERY, headers) }
      : kind === "ask"
        ? { url: `${url}/v1/query`, init: postJson(askBody(i), headers) }
        : {
            url: `${url}/v1/chat/completions`,
            init: postJson(chatBody(i, kind === "stream", kind === "miss"), headers),
          };
}

/** CPU only: what wrangler dev's processes spend per request, with no profiler attached. */
async function cpuOnly(): Promise<void> {
  const dev = await startPathGateway(upstream.url);
  try {
    const make = requests(dev.url, await highRateKeyHeaders(dev.url, "bench-profile"));
    await runLoad(make, { total: 200, concurrency: 4 }); // warm
    const before = treeCpuMs(dev.pid);
    const load = await runLoad(make, { total, concurrency: 8 });
    const after = treeCpuMs(dev.pid);
    const cpu = before === null || after === null ? "n/a" : ((after - before) / total).toFixed(2);
    console.log(`${kind}: ${load.requestsPerSecond.toFixed(0)} req/s, ${cpu} ms CPU per request`);
  } finally {
    await dev.stop();
  }
}

/** A sampling profile of the gateway's isolate while `total` requests run. */
async function profiled(): Promise<void> {
  const gateway = await startProfiledGateway(pathGatewayVars(upstream.url));
  try {
    const make = requests(gateway.url, await highRateKeyHeaders(gateway.url, "bench-profile"));
    await runLoad(make, { total: 200, concurrency: 4 }); // warm
    const list = await (
      await fetch(`${gateway.inspectorUrl}/json`)
    ).json<{ webSocketDebuggerUrl: string; title: string }[]>();
    const target = list.find((t) => t.title.endsWith(gateway.target));
    if (!target) throw new Error(`no inspector target ${gateway.target}`);
    const cdp = inspector(target.webSocketDebuggerUrl);
    await cdp.opened;
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
    await cdp.send("Profiler.start");
    const load = await runLoad(make, { total, concurrency: 8 });
    const { profile } = (await cdp.send("Profiler.stop")) as { profile: Profile };
    cdp.close();
    console.log(
      `${kind}: ${total} requests, ${load.requestsPerSecond.toFixed(0)} req/s, statuses ${JSON.stringify(load.statuses)}`,
    );
    summarize(profile, total);
    if (process.env.PROFILE_OUT) {
      // The raw profile and the bundle it points into, to read a line number against.
      await writeFile(`${process.env.PROFILE_OUT}.cpuprofile`, JSON.stringify(profile));
      await cp(gateway.bundleDir, `${process.env.PROFILE_OUT}.bundle`, { recursive: true });
    }
  } finally {
    await gateway.stop();
  }
}

function summarize(profile: Profile, requests: number): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // Each sample counts once. Weighting by the time since the previous sample would charge the
  // whole gap to whatever ran when the thread was scheduled again, which on a busy machine is
  // mostly noise; shares of samples are what to compare.
  const interval =
    profile.timeDeltas.reduce((a, b) => a + b, 0) / Math.max(1, profile.samples.length);
  for (const id of profile.samples) selfUs.set(id, (selfUs.get(id) ?? 0) + interval);
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    const f = n.callFrame.url.replace(/^.*\/(node_modules\/)?/, "") || "(native)";
    const name = `${n.callFrame.functionName || "(anon)"} ${f}:${n.callFrame.lineNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    file.set(f, (file.get(f) ?? 0) + us);
  }
  // Inclusive time per function (each sample counted once per distinct function on its stack).
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) break;
      const name = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.replace(/^.*\//, "")}:${n.callFrame.lineNumber + 1}`;
      if (seen.has(name)) continue;
      seen.add(name);
      incl.set(name, (incl.get(name) ?? 0) + us);
    }
  }
  const idle = [...fn].filter(([k]) => /^\(idle\)|^\(program\)|^\(garbage/.test(k));
  console.log(
    `profile: ${(totalUs / 1000).toFixed(0)} ms sampled; per request ${(totalUs / requests / 1000).toFixed(3)} ms (incl. idle)`,
  );
  for (const [k, v] of idle) console.log(`  ${k}: ${(v / requests / 1000).toFixed(3)} ms/req`);
  const top = (m: Map<string, number>, n: number, title: string) => {
    console.log(`\n${title}`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) {
      console.log(
        `  ${(v / requests).toFixed(1).padStart(8)} us/req  ${((v / totalUs) * 100).toFixed(1).padStart(5)}%  ${k}`,
      );
    }
  };
  top(fn, 45, "self time by function");
  top(file, 25, "self time by file");
  top(incl, 70, "inclusive time by function");
}
