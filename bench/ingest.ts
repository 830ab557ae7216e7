// `npm run bench -- ingest`: the ingest CLI at its default settings against a fresh `wrangler dev`
// (offline provider), on a real manual nobody here wrote (the PostgreSQL manual, ~1,170 HTML
// pages), while a probe asks `/v1/documents/lookup` every PROBE_MS as another client would. Prints
// the run's wall time, each upload request's time, every non-2xx status (and whether the Worker
// logged it), the probe's end-to-end latency beside the handler time its own log line reports,
// and how the runtime's console explained a failure. Asserts nothing.
import { randomUUID } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { createIngestClient } from "../cli/ingest/client.js";
import { parseIngestArgs } from "../cli/ingest/options.js";
import type { Reporter } from "../cli/ingest/progress.js";
import { DEFAULT_RETRY } from "../cli/ingest/retry.js";
import { runIngest } from "../cli/ingest/run-ingest.js";
import { emptyTally } from "../cli/ingest/summary.js";
import { startWranglerDev } from "../test/support/wrangler-dev.js";
import { CORPUS_DIR, INSTALL_HINT } from "./lib/debian-corpus.js";
import { ms, printTable, summarize } from "./lib/stats.js";

const PROBE_MS = Number(process.env.INGEST_PROBE_MS ?? 250);

interface Sent {
  path: string;
  status: number | "network";
  ms: number;
  retryAfter: string | null;
  requestId: string;
  /** The start of the body of a failure, to tell our error shape from the runtime's. */
  body?: string;
}

/** fetch that records each call's path, status, duration and (for failures) body. */
function recordingFetch(log: Sent[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const requestId = `bench_${randomUUID()}`;
    const headers = new Headers(init?.headers);
    headers.set("x-request-id", requestId);
    const t0 = performance.now();
    try {
      const res = await fetch(input, { ...init, headers });
      const entry: Sent = {
        path: url.pathname,
        status: res.status,
        ms: 0,
        retryAfter: res.headers.get("retry-after"),
        requestId,
      };
      if (res.ok) {
        const text = await res.text();
        entry.ms = performance.now() - t0;
        log.push(entry);
        return new Response(text, res);
      }
      const text = await res.text();
      entry.ms = performance.now() - t0;
      entry.body = text.slice(0, 300);
      log.push(entry);
      return new Response(text, res);
    } catch (err) {
      log.push({
        path: url.pathname,
        status: "network",
        ms: performance.now() - t0,
        retryAfter: null,
        requestId,
      });
      throw err;
    }
  };
}

/** Our request log lines, by request id: status and the latency the Worker measured. */
function requestLines(output: string): Map<string, { status: number; latency: number }> {
  const out = new Map<string, { status: number; latency: number }>();
  for (const line of output.split("\n")) {
    const start = line.indexOf('{"level"');
    if (start < 0 || !line.includes('"event":"request"')) continue;
    try {
      const r = JSON.parse(line.slice(start)) as {
        request_id?: string;
        status?: number;
        latency_ms?: number;
      };
      if (r.request_id)
        out.set(r.request_id, { status: r.status ?? 0, latency: r.latency_ms ?? 0 });
    } catch {
      // a line that only looks like ours
    }
  }
  return out;
}

/** CPU seconds (user + system) used so far by the workerd processes of process group `pgid`. */
async function runtimeCpuSeconds(pgid: number): Promise<number> {
  let ticks = 0;
  for (const pid of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    // Fields after the command name (which may hold spaces): state ppid pgrp ... utime stime.
    const close = stat.lastIndexOf(")");
    if (close < 0 || !stat.slice(0, close).includes("(workerd")) continue;
    const fields = stat.slice(close + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / 100; // USER_HZ
}

export async function runIngestBench(): Promise<void> {
  try {
    await readFile(`${CORPUS_DIR}/index.html`);
  } catch {
    console.log(`skipped: ${CORPUS_DIR} is missing (${INSTALL_HINT})`);
    return;
  }
  const dev = await startWranglerDev({ logLevel: "log", timeoutMs: 90_000 });
  try {
    const parsed = parseIngestArgs(
      [CORPUS_DIR, "--url", dev.url, "--jobs", "never"],
      {},
      process.cwd(),
    );
    if (!parsed.ok || parsed.help) throw new Error("bad arguments");
    const options = parsed.options;
    const sent: Sent[] = [];
    const retries: string[] = [];
    const tally = emptyTally();
    const reporter: Reporter = {
      update: () => undefined,
      note: (text) => {
        if (text.startsWith("retry")) retries.push(text);
      },
      finish: () => undefined,
    };
    const client = createIngestClient({
      url: dev.url,
      fetch: recordingFetch(sent),
      timeoutMs: options.timeoutMs,
      now: () => Date.now(),
      userAgent: "ragway-bench",
      retry: {
        ...DEFAULT_RETRY,
        retries: options.retries,
        sleep: (msec) => sleep(msec),
        random: Math.random,
        onRetry: ({ attempt, delayMs, message }) => {
          tally.retries++;
          reporter.note(`retry ${attempt} in ${(delayMs / 1000).toFixed(1)}s: ${message}`);
        },
      },
    });

    // Another client's small read, every PROBE_MS while the ingest runs.
    const probes: Sent[] = [];
    const probeFetch = recordingFetch(probes);
    let ingesting = true;
    const probe = (async () => {
      while (ingesting) {
        await probeFetch(`${dev.url}/v1/documents/lookup`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ ids: ["index.html", "sql-select.html"] }),
        })
          .then((r) => r.body?.cancel())
          .catch(() => undefined);
        await sleep(PROBE_MS);
      }
    })();

    const cpu0 = await runtimeCpuSeconds(dev.pgid);
    const t0 = performance.now();
    await runIngest(options, {
      client,
      reporter,
      tally,
      readFile: (path) => readFile(path),
      print: () => undefined,
    });
    const wall = performance.now() - t0;
    const cpu = (await runtimeCpuSeconds(dev.pgid)) - cpu0;
    ingesting = false;
    await probe;
    await sleep(500); // the last log lines

    const lines = requestLines(dev.output());
    const uploads = sent.filter((s) => s.path === "/v1/documents");
    const failures = [...sent, ...probes].filter((s) => s.status !== 200);
    const unlogged = failures.filter((s) => !lines.has(s.requestId));
    const handler = probes
      .map((p) => lines.get(p.requestId)?.latency)
      .filter((n): n is number => n !== undefined);
    const up = summarize(uploads.map((u) => u.ms));
    const pr = summarize(probes.filter((p) => p.status === 200).map((p) => p.ms));
    const hd = summarize(handler);

    printTable(
      `ingest of ${CORPUS_DIR} at --concurrency ${options.concurrency} (CLI defaults)`,
      ["measure", "value"],
      [
        ["files added / failed", `${tally.added} / ${tally.failed.length}`],
        ["chunks", tally.chunks],
        ["wall time", `${(wall / 1000).toFixed(1)} s`],
        ["runtime CPU (workerd, user+sys)", `${cpu.toFixed(1)} s`],
        ["upload requests (incl. retries)", uploads.length],
        [
          "upload p50 / p95 / max",
          `${ms(up.p50)} / ${ms(up.p95)} / ${ms(Math.max(...uploads.map((u) => u.ms)))}`,
        ],
        ["non-2xx responses (all clients)", failures.length],
        ["  of which without our log line", unlogged.length],
        ["  of which with Retry-After", failures.filter((f) => f.retryAfter !== null).length],
        ["CLI retries", tally.retries],
        ["probe lookups", probes.length],
        [
          "probe end-to-end p50 / p95 / max",
          `${ms(pr.p50)} / ${ms(pr.p95)} / ${ms(Math.max(...probes.map((p) => p.ms)))}`,
        ],
        [
          "probe handler (its log line) p50 / p95 / max",
          `${ms(hd.p50)} / ${ms(hd.p95)} / ${ms(Math.max(...handler))}`,
        ],
      ],
    );
    const byStatus = new Map<string, number>();
    for (const f of failures) {
      const key = `${f.path} ${f.status}`;
      byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
    }
    if (failures.length > 0) {
      printTable(
        "non-2xx responses",
        ["path and status", "count"],
        [...byStatus].map(([k, n]) => [k, n]),
      );
      const first = failures[0];
      console.log(`first failure's body: ${first?.body ?? "(none)"}`);
    }
    for (const r of retries.slice(0, 5)) console.log(`CLI: ${r}`);
    // What the runtime itself said about failures (lines that are not ours nor access lines).
    const runtime = dev
      .output()
      .split("\n")
      .filter((l) => /overload|exceeded|internal error|Error:|uncaught/i.test(l))
      .filter((l) => !/ENOTFOUND|getaddrinfo|GetAddrInfoReqWrap/.test(l));
    if (runtime.length > 0) {
      console.log(`runtime console (${runtime.length} lines), first 5:`);
      for (const l of runtime.slice(0, 5)) console.log(`  ${l.slice(0, 300)}`);
    }
  } finally {
    // The runtime's whole console, for reading after the run (bench/results is not committed).
    const log = `bench/results/ingest-${new Date().toISOString().replace(/[:.]/g, "-")}.log`;
    await writeFile(log, dev.output()).catch(() => undefined);
    console.log(`runtime console: ${log}`);
    await dev.stop();
  }
}
