// `npm run bench:compare -- [ref] [chat|stream|hit|ttft|latency|miss|long|embed|ask|scrape]`: the working tree's
// gateway against the same gateway at a git ref (default HEAD), to decide a change to the request
// path on numbers.
// Both are served as deployed (the same wrangler, no inspector) against one mock upstream, and
// measured together: throughput in alternating blocks (which goes first alternates), time to first
// streamed byte and a whole non-streamed chat's time (`latency`; `miss` sends it at temperature 0,
// a chat cache miss) request by request, so a change in the machine's load falls on both alike. The
// throughput rows also print the CPU each serving process used per request (wrangler, its proxy
// runtime and the Worker's runtime, in pid order), which other load on a shared machine moves far
// less than req/s. Run it twice on an unchanged tree first to see the noise. The ref must have
// test/support/worker-without-inspector.ts (serving without the inspector). `long` sends sampled
// chats of eight conversations at about 90 KB each (Debian's license texts: 30 turns of history and
// a new question every request), where the cost of the prompt's size shows. `stream` sends sampled
// streamed chats, read to their end, where the cost of relaying each chunk shows. `embed` sends
// /v1/embeddings calls of two new texts each (every one a miss of the embedding cache), and `ask`
// /v1/query calls of a new question each (a miss of the answer cache: embedding, retrieval and
// generation). `scrape` creates COMPARE_NAMESPACES namespaces (default 100) of one document each on
// both sides, then times `/metrics` scrapes one at a time and counts the INDEX object calls each
// scrape made. Asserts nothing.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startMockUpstream } from "../test/mock-upstream/server.js";
import { startWranglerDev, type WranglerDev } from "../test/support/wrangler-dev.js";
import { alternatingLoad } from "./lib/alternating-load.js";
import { postJson, runLoad } from "./lib/http-load.js";
import { createApiKey } from "../test/support/api-key.js";
import {
  ADMIN_TOKEN,
  askBody,
  chatBody,
  HIT_QUERY,
  highRateKeyHeaders,
  pathGatewayVars,
  timeToFirstByte,
} from "./lib/path-gateway.js";
import { realText, REAL_TEXT_DIR, textSlicer } from "./lib/real-text.js";
import { ms, printTable, summarize } from "./lib/stats.js";

const ref = process.argv[2] ?? "HEAD";
const kind = process.argv[3] ?? "chat";
const BLOCKS = Number(process.env.COMPARE_BLOCKS ?? 6);
const PER_BLOCK = Number(process.env.COMPARE_N ?? 1000);
const TTFT_N = Number(process.env.COMPARE_TTFT_N ?? 600);

/** Every kind, with what its table says was measured. */
const KINDS: Record<string, string> = {
  chat: "sampled chat",
  stream: "sampled streamed chat, read to its end",
  hit: "/v1/query cache hit",
  long: "sampled chat, ~90 KB prompts",
  embed: "embeddings of two new texts",
  ask: "/v1/query of a new question (a miss)",
  ttft: "time to the first streamed byte",
  latency: "a sampled chat's whole response",
  miss: "a temperature-0 chat's whole response (a cache miss)",
  scrape: "a /metrics scrape",
};
/** The kinds measured one request at a time, interleaved; the others are throughput. */
const ONE_BY_ONE = new Set(["ttft", "latency", "miss", "scrape"]);
/** `scrape`'s namespaces on each side. */
const NAMESPACES = Number(process.env.COMPARE_NAMESPACES ?? 100);

const described = KINDS[kind];
if (described === undefined) {
  console.error(`unknown kind "${kind}"; known: ${Object.keys(KINDS).join(", ")}`);
  process.exit(2);
}
const what: string = described;

interface Side {
  label: string;
  dev: WranglerDev;
  headers: Record<string, string>;
}

/** `ref`'s tracked files in a temporary directory that shares this checkout's node_modules. */
async function checkout(at: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ragway-compare-"));
  const tar = join(dir, "tree.tar");
  execFileSync("git", ["archive", "--format=tar", "-o", tar, at]);
  execFileSync("tar", ["-x", "-f", tar, "-C", dir]);
  await rm(tar);
  await symlink(resolve("node_modules"), join(dir, "node_modules"));
  return dir;
}

let question = 0;

function request(side: Side): { url: string; init: RequestInit } {
  if (kind === "hit") {
    return { url: `${side.dev.url}/v1/query`, init: postJson(HIT_QUERY, side.headers) };
  }
  if (kind === "ask") {
    return { url: `${side.dev.url}/v1/query`, init: postJson(askBody(question++), side.headers) };
  }
  if (kind === "embed") {
    const n = question++;
    const body = {
      model: "text-embedding-3-small",
      input: [`first text ${n}`, `second text ${n}`],
    };
    return { url: `${side.dev.url}/v1/embeddings`, init: postJson(body, side.headers) };
  }
  const body = kind === "long" ? longChat(question++) : chatBody(question++, kind === "stream");
  return { url: `${side.dev.url}/v1/chat/completions`, init: postJson(body, side.headers) };
}

/** `long`'s conversations: each 30 turns of history (2 KB questions, 1 KB answers). */
const conversations = ((): Array<Array<{ role: string; content: string }>> => {
  if (kind !== "long") return [];
  const text = realText();
  if (!text) {
    console.error(`long needs the texts under ${REAL_TEXT_DIR}`);
    process.exit(2);
  }
  const next = textSlicer(text);
  // Numbered: the texts go round before the eight conversations are written, and no two
  // conversations share a message.
  return Array.from({ length: 8 }, (_, c) =>
    Array.from({ length: 30 }, (_, t) => [
      { role: "user", content: `${c}.${t} ${next(2048)}` },
      { role: "assistant", content: `${c}.${t} ${next(1024)}` },
    ]).flat(),
  );
})();

/** Request `i` of `long`: its conversation's history and a question no request asked before. */
function longChat(i: number) {
  const history = conversations[i % conversations.length] ?? [];
  const ask = `Question ${i}: which of these terms apply to redistribution? ${history[0]?.content.slice(0, 1500) ?? ""}`;
  return {
    model: "gpt-4o-mini",
    messages: [...history, { role: "user", content: ask }],
    max_tokens: 16,
  };
}

const ttft = (side: Side): Promise<number> =>
  timeToFirstByte(
    `${side.dev.url}/v1/chat/completions`,
    postJson(chatBody(question++, true), side.headers),
  );

async function throughput(sides: [Side, Side]): Promise<void> {
  for (const side of sides) await runLoad(() => request(side), { total: 500, concurrency: 16 });
  const total = BLOCKS * PER_BLOCK;
  const loads = await alternatingLoad(
    [
      { pid: sides[0].dev.pid, request: () => request(sides[0]) },
      { pid: sides[1].dev.pid, request: () => request(sides[1]) },
    ],
    { total, blocks: BLOCKS, concurrency: 16 },
  );
  const names = [...new Set(loads.flatMap((l) => [...(l.cpuByProcess?.keys() ?? [])]))].filter(
    (name) => loads.some((l) => (l.cpuByProcess?.get(name) ?? 0) >= 0.01),
  );
  printTable(
    `${what} at 16 connections (${total} requests each, ${BLOCKS} alternating blocks; ` +
      "CPU per request of each serving process)",
    ["gateway", "req/s", "CPU", ...names, "non-200"],
    sides.map((side, i) => {
      const load = loads[i as 0 | 1];
      const cpu = (value: number | null | undefined) =>
        value === null || value === undefined ? "n/a" : ms(value);
      return [
        side.label,
        load.requestsPerSecond.toFixed(0),
        cpu(load.cpuMs),
        ...names.map((name) => cpu(load.cpuByProcess?.get(name) ?? 0)),
        total - (load.statuses[200] ?? 0),
      ];
    }),
  );
}

/** Milliseconds until a non-streamed chat's response has been read to its end (sampled, or for
 * `miss` at temperature 0: looked up in the chat cache, missed and filed). */
async function wholeChat(side: Side): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(
    `${side.dev.url}/v1/chat/completions`,
    postJson(chatBody(question++, false, kind === "miss"), side.headers),
  );
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${side.label}: ${res.status}`);
  return performance.now() - t0;
}

const adminHeaders = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** `scrape`'s setup: NAMESPACES namespaces of one document each (a key per 50, the most a key
 * may name being 64). */
async function fillNamespaces(side: Side): Promise<void> {
  const names = Array.from({ length: NAMESPACES }, (_, i) => `bench-${String(i).padStart(4, "0")}`);
  for (let start = 0; start < names.length; start += 50) {
    const group = names.slice(start, start + 50);
    for (const name of group) {
      const made = await fetch(
        `${side.dev.url}/admin/namespaces`,
        postJson({ name }, adminHeaders),
      );
      if (made.status !== 201) throw new Error(`${side.label}: namespace ${name}: ${made.status}`);
    }
    const key = await createApiKey(side.dev.url, ADMIN_TOKEN, {
      name: `scrape-${start}`,
      namespaces: group,
      scopes: ["documents:write"],
    });
    for (const name of group) {
      const body = {
        namespace: name,
        documents: [{ id: "notes", text: `Notes kept in ${name}.` }],
      };
      const res = await fetch(
        `${side.dev.url}/v1/documents`,
        postJson(body, { authorization: `Bearer ${key.key}` }),
      );
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${side.label}: ingest in ${name}: ${res.status}`);
    }
  }
}

/** INDEX object calls counted so far, read from a scrape's text. */
const indexCalls = (text: string): number =>
  [...text.matchAll(/^ragway_durable_object_calls_total\{[^}]*object="INDEX"[^}]*\} (\S+)$/gm)]
    .map((m) => Number(m[1]))
    .reduce((a, b) => a + b, 0);

const scrapes = new Map<Side, { first: number | null; last: number; count: number }>();

/** Milliseconds a `/metrics` scrape takes; notes the INDEX calls counted so far. */
async function scrape(side: Side): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${side.dev.url}/metrics`, { headers: adminHeaders });
  const text = await res.text();
  const took = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${side.label}: ${res.status}`);
  const seen = scrapes.get(side) ?? { first: null, last: 0, count: 0 };
  const calls = indexCalls(text);
  scrapes.set(side, { first: seen.first ?? calls, last: calls, count: seen.count + 1 });
  return took;
}

async function oneByOne(sides: [Side, Side]): Promise<void> {
  if (kind === "scrape") for (const side of sides) await fillNamespaces(side);
  const measure = kind === "ttft" ? ttft : kind === "scrape" ? scrape : wholeChat;
  const samples: [number[], number[]] = [[], []];
  for (let i = 0; i < 50; i++) for (const side of sides) await measure(side);
  for (let i = 0; i < TTFT_N; i++) {
    const order = i % 2 === 0 ? [0, 1] : [1, 0];
    for (const j of order) samples[j as 0 | 1].push(await measure(sides[j] as Side));
  }
  printTable(
    `${what} at 1 connection (${TTFT_N} each, interleaved)`,
    ["gateway", "p50", "mean", "p95"],
    sides.map((side, i) => {
      const s = summarize(samples[i as 0 | 1]);
      return [side.label, ms(s.p50), ms(s.mean), ms(s.p95)];
    }),
  );
  if (kind !== "scrape") return;
  // Each scrape's own calls are counted in the next one (its flush goes first).
  printTable(
    `INDEX object calls per scrape, ${NAMESPACES} namespaces and default`,
    ["gateway", "calls / scrape"],
    sides.map((side) => {
      const seen = scrapes.get(side);
      const per = seen && seen.count > 1 ? (seen.last - (seen.first ?? 0)) / (seen.count - 1) : NaN;
      return [side.label, per.toFixed(2)];
    }),
  );
}

const dir = await checkout(ref);
const upstream = await startMockUpstream({ port: 0 });
const devs: WranglerDev[] = [];
try {
  const serve = async (label: string, cwd: string): Promise<Side> => {
    const dev = await startWranglerDev({
      inspector: false,
      cwd,
      vars: pathGatewayVars(upstream.url),
      timeoutMs: 120_000,
    });
    devs.push(dev);
    return { label, dev, headers: await highRateKeyHeaders(dev.url, label) };
  };
  const sides: [Side, Side] = [await serve("working tree", process.cwd()), await serve(ref, dir)];
  if (ONE_BY_ONE.has(kind)) await oneByOne(sides);
  else await throughput(sides);
} finally {
  await Promise.all(devs.map((d) => d.stop()));
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
}
