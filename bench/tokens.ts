// Benchmark: token counting (o200k_base) as shipped in shared/tokens/count.ts ("ragway count.ts":
// gpt-tokenizer's engine on js-tiktoken's compact ranks) next to plain gpt-tokenizer and js-tiktoken,
// in Node and inside workerd. Prints numbers and checks that counts agree; never asserts on time.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { seeded } from "../test/support/seeded-random.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CONFIGS = ["gpt-tokenizer", "js-tiktoken", "ragway count.ts"] as const;
type Config = (typeof CONFIGS)[number];
type Count = (text: string) => number;

/**
 * Loads (mark "load") and builds an encoder in a fresh child, the way each config does on first
 * use. `countUrl` is count.ts bundled to plain JS, since the child runs without a TS loader.
 */
function coldScript(config: Config, countUrl: string): string {
  switch (config) {
    case "gpt-tokenizer":
      return `
        const r = await import("gpt-tokenizer/bpeRanks/o200k_base");
        const { GptEncoding } = await import("gpt-tokenizer/GptEncoding");
        mark("load");
        const enc = GptEncoding.getEncodingApi("o200k_base", () => r.default);
        enc.countTokens("warm up");`;
    case "js-tiktoken":
      return `
        const r = await import("js-tiktoken/ranks/o200k_base");
        const { Tiktoken } = await import("js-tiktoken/lite");
        mark("load");
        const enc = new Tiktoken(r.default);
        enc.encode("warm up");`;
    case "ragway count.ts":
      return `
        const { createTokenCounter } = await import(${JSON.stringify(countUrl)});
        mark("load");
        createTokenCounter().count("warm up");`;
  }
}

/** Worker module prologues: each defines `count`, building its encoder on the first call. */
const WORKER_SOURCE: Record<Config, string> = {
  "gpt-tokenizer": `import { GptEncoding } from "gpt-tokenizer/GptEncoding";
    import ranks from "gpt-tokenizer/bpeRanks/o200k_base";
    const plain = { disallowedSpecial: new Set() };
    let enc;
    const count = (t) => {
      enc ??= GptEncoding.getEncodingApi("o200k_base", () => ranks);
      return enc.countTokens(t, plain);
    };`,
  "js-tiktoken": `import { Tiktoken } from "js-tiktoken/lite";
    import ranks from "js-tiktoken/ranks/o200k_base";
    let enc;
    const count = (t) => { enc ??= new Tiktoken(ranks); return enc.encode(t, [], []).length; };`,
  "ragway count.ts": `import { createTokenCounter } from "./shared/tokens/count.ts";
    const counter = createTokenCounter();
    const count = (t) => counter.count(t);`,
};

const WORKER_HANDLER = `
  export default {
    async fetch(request) {
      const path = new URL(request.url).pathname;
      const body = await request.text();
      if (path === "/ping") return Response.json({ ok: true });
      if (path === "/queries") {
        const tokens = JSON.parse(body).reduce((sum, q) => sum + count(q), 0);
        return Response.json({ tokens });
      }
      return Response.json({ tokens: count(body) });
    },
  };`;

const EN = (
  "the a edge cache token budget model answer query document chunk retrieval worker " +
  "limit request user cost fallback retry latency region index vector durable object stream " +
  "quickly reliably every never global local upstream provider context window prompt"
).split(" ");
const ZH = "边缘 缓存 令牌 预算 模型 回答 查询 文档 检索 限流 成本 重试 延迟".split(" ");
const EMOJI = ["🚀", "🔥", "✅", "👩‍💻", "📦", "⚡", "🌍"];

/** ~`bytes` of mixed English prose, Chinese, TypeScript and emoji, plus the repo's docs/*.md. */
export function buildCorpus(bytes = 1_000_000, seed = 2024): string {
  const next = seeded(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const docsDir = join(ROOT, "docs");
  let docs = "";
  try {
    const files = readdirSync(docsDir).filter((n) => n.endsWith(".md"));
    for (const f of files.sort()) docs += readFileSync(join(docsDir, f), "utf8") + "\n\n";
  } catch {
    docs = ""; // no docs/ yet: generated text only
  }
  const parts: string[] = [];
  let size = 0;
  const add = (s: string): void => {
    parts.push(s);
    size += Buffer.byteLength(s);
  };
  while (docs !== "" && size < bytes / 4) add(docs);
  while (size < bytes) {
    const kind = next();
    if (kind < 0.55) {
      const words = Array.from({ length: 8 + Math.floor(next() * 18) }, () => pick(EN));
      const s = words.join(" ");
      add(`${s.charAt(0).toUpperCase()}${s.slice(1)}${next() < 0.1 ? ` ${pick(EMOJI)}` : ""}. `);
      if (next() < 0.15) add("\n\n");
    } else if (kind < 0.75) {
      add(Array.from({ length: 6 + Math.floor(next() * 10) }, () => pick(ZH)).join("") + "。");
    } else {
      const id = `${pick(EN)}${Math.floor(next() * 1000)}`;
      add(
        `\nexport function ${id}(input: string[]): number {\n  return input.filter((x) => ` +
          `x.length > ${Math.floor(next() * 80)}).length; // ${pick(EN)} ${pick(EN)}\n}\n`,
      );
    }
  }
  return parts.join("");
}

/** 10,000 short queries of 4-12 words, 1 in 5 in Chinese. */
export function buildQueries(n = 10_000, seed = 7): string[] {
  const next = seeded(seed);
  return Array.from({ length: n }, () => {
    const zh = next() < 0.2;
    const words = Array.from({ length: 4 + Math.floor(next() * 9) }, () => {
      const list = zh ? ZH : EN;
      return list[Math.floor(next() * list.length)] ?? "";
    });
    return words.join(zh ? "" : " ") + (zh ? "？" : "?");
  });
}

function coldInChild(config: Config, countUrl: string): Record<string, number> {
  const code = `
    const gc = globalThis.gc; const t = {}; let t0, c0, h0;
    const cpu = () => { const u = process.cpuUsage(c0); return (u.user + u.system) / 1000; };
    const mark = (k) => {
      t[k] = performance.now() - t0; t[k + "Cpu"] = cpu();
      gc(); t[k + "Heap"] = process.memoryUsage().heapUsed - h0;
    };
    gc(); h0 = process.memoryUsage().heapUsed; c0 = process.cpuUsage(); t0 = performance.now();
    ${coldScript(config, countUrl)}
    mark("build");
    console.log(JSON.stringify(t));`;
  const out = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", code], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return JSON.parse(out) as Record<string, number>;
}

/** Bundles `source` (resolved from the repo root) as a Worker would ship it. */
async function bundle(source: string): Promise<{ script: string; inputs: string[] }> {
  const { build } = await import("esbuild");
  const result = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    metafile: true,
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
  });
  return { script: result.outputFiles[0]?.text ?? "", inputs: Object.keys(result.metafile.inputs) };
}

interface Boot {
  ms: number;
  cpuMs: number;
}

/**
 * CPU used by this process's exited, reaped children (workerd, once Miniflare disposes it), from
 * Linux's /proc in 10 ms ticks; NaN elsewhere.
 */
function childCpuMs(): number {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[13]) + Number(fields[14])) * 10; // cutime + cstime
  } catch {
    return NaN;
  }
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function nodeCounters(): Promise<Record<Config, Count>> {
  const { GptEncoding } = await import("gpt-tokenizer/GptEncoding");
  const { default: gptRanks } = await import("gpt-tokenizer/bpeRanks/o200k_base");
  const { Tiktoken } = await import("js-tiktoken/lite");
  const { default: ranks } = await import("js-tiktoken/ranks/o200k_base");
  const { createTokenCounter } = await import("../shared/tokens/count.js");
  const gpt = GptEncoding.getEncodingApi("o200k_base", () => gptRanks);
  const plain = { disallowedSpecial: new Set<string>() };
  const tiktoken = new Tiktoken(ranks);
  const counter = createTokenCounter();
  return {
    "gpt-tokenizer": (t) => gpt.countTokens(t, plain),
    "js-tiktoken": (t) => tiktoken.encode(t, [], []).length,
    "ragway count.ts": (t) => counter.count(t),
  };
}

async function inWorkerd(
  config: Config,
  corpus: string,
  queries: string[],
): Promise<Record<string, number>> {
  const { Miniflare } = await import("miniflare");
  const { script, inputs } = await bundle(WORKER_SOURCE[config] + WORKER_HANDLER);
  const empty = WORKER_HANDLER.replace("count(q)", "0").replace("count(body)", "0");
  const boot = async (source: string) => {
    const t0 = performance.now();
    const mf = new Miniflare({ modules: true, script: source, compatibilityDate: "2026-04-26" });
    await mf.ready;
    return { mf, ms: performance.now() - t0 };
  };
  const post = async (mf: InstanceType<typeof Miniflare>, path: string, body: string) => {
    const t0 = performance.now();
    const res = await mf.dispatchFetch(`http://bench${path}`, { method: "POST", body });
    const json = (await res.json()) as { tokens?: number };
    return { ms: performance.now() - t0, tokens: json.tokens ?? -1 };
  };
  // workerd evaluates the module at startup: compare against an empty worker, 5 boots each. Wall
  // time (best) swings with machine load; workerd's own CPU (median) much less. "counted" boots
  // also count once, so its extra CPU over a plain boot is the first use (the lazy build).
  const boots = { empty: [] as Boot[], config: [] as Boot[], counted: [] as Boot[] };
  for (let i = 0; i < 5; i++) {
    for (const key of ["empty", "config", "counted"] as const) {
      const cpu0 = childCpuMs();
      const booted = await boot(key === "empty" ? empty : script);
      if (key === "counted") await post(booted.mf, "/", "hello world");
      await booted.mf.dispose();
      boots[key].push({ ms: booted.ms, cpuMs: childCpuMs() - cpu0 });
    }
  }
  const best = (key: keyof typeof boots) => Math.min(...boots[key].map((b) => b.ms));
  const cpu = (key: keyof typeof boots) => median(boots[key].map((b) => b.cpuMs));
  const { mf } = await boot(script);
  try {
    await post(mf, "/ping", "");
    const ping = await post(mf, "/ping", "");
    const first = await post(mf, "/", "hello world");
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await post(mf, "/", corpus));
    const q = await post(mf, "/queries", JSON.stringify(queries));
    return {
      bundleKiB: Math.round(script.length / 1024),
      gzipKiB: Math.round(gzipSync(script).length / 1024),
      gptRanksInBundle: inputs.some((path) => path.includes("gpt-tokenizer/esm/bpeRanks")) ? 1 : 0,
      startupOverEmptyMs: Math.round(best("config") - best("empty")),
      startupCpuOverEmptyMs: cpu("config") - cpu("empty"),
      firstUseCpuMs: cpu("counted") - cpu("config"),
      coldFirstCountMs: Math.round(first.ms - ping.ms),
      warmTokensPerSec: Math.round((runs[0]?.tokens ?? 0) / (median(runs.map((r) => r.ms)) / 1000)),
      queriesPerSec: Math.round(queries.length / (q.ms / 1000)),
      tokens: runs[0]?.tokens ?? -1,
      queryTokens: q.tokens,
    };
  } finally {
    await mf.dispose();
  }
}

/** Runs the whole benchmark and returns every number it printed. */
export async function runTokenBench(): Promise<Record<string, unknown>> {
  const corpus = buildCorpus();
  const queries = buildQueries();
  const patho = "a".repeat(5_000);
  const counters = await nodeCounters();
  const scratch = mkdtempSync(join(tmpdir(), "ragway-tokens-"));
  const countFile = join(scratch, "count.mjs");
  writeFileSync(countFile, (await bundle('export * from "./shared/tokens/count.ts";')).script);
  const node: Record<string, Record<string, number>> = {};
  try {
    for (const config of CONFIGS) {
      const cold = coldInChild(config, pathToFileURL(countFile).href);
      const count = counters[config];
      count(corpus.slice(0, 20_000));
      const runs = [0, 1, 2].map(() => time(() => count(corpus)));
      const q = time(() => queries.reduce((sum, x) => sum + count(x), 0));
      node[config] = {
        loadMs: Math.round(cold.load ?? NaN),
        loadCpuMs: Math.round(cold.loadCpu ?? NaN),
        firstUseMs: Math.round((cold.build ?? NaN) - (cold.load ?? NaN)),
        firstUseCpuMs: Math.round((cold.buildCpu ?? NaN) - (cold.loadCpu ?? NaN)),
        heapMiB: Math.round(((cold.buildHeap ?? NaN) / 2 ** 20) * 10) / 10,
        tokensPerSec: Math.round((runs[0]?.value ?? 0) / (median(runs.map((r) => r.ms)) / 1000)),
        queriesPerSec: Math.round(queries.length / (q.ms / 1000)),
        patho5kCharRunMs: Math.round(time(() => count(patho)).ms),
        tokens: runs[0]?.value ?? -1,
        queryTokens: q.value,
      };
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const mismatchedQueries = Object.fromEntries(
    CONFIGS.map((c) => [
      c,
      queries.filter((x) => counters[c](x) !== counters["js-tiktoken"](x)).length,
    ]),
  );
  // U+FEFF (a BOM, e.g. where files were concatenated): plain gpt-tokenizer 4.0.0 miscounts it.
  const bomText = "\uFEFFusing System;\n\uFEFF# notes\n";
  const bom = Object.fromEntries(CONFIGS.map((c) => [c, counters[c](bomText)]));
  const { chunkText } = await import("../shared/rag/chunk.js");
  const { createTokenCounter } = await import("../shared/tokens/count.js");
  const chunked = time(() => chunkText(corpus, { counter: createTokenCounter() }));
  const chunking = { ms: Math.round(chunked.ms), chunks: chunked.value.length };
  const workerd: Record<string, Record<string, number>> = {};
  for (const config of CONFIGS) workerd[config] = await inWorkerd(config, corpus, queries);

  const rows = [node, workerd].flatMap((t) => CONFIGS.map((c) => t[c]));
  const agree =
    new Set(rows.map((r) => r?.tokens)).size === 1 &&
    new Set(rows.map((r) => r?.queryTokens)).size === 1 &&
    Object.values(mismatchedQueries).every((n) => n === 0);
  console.log(`corpus: ${Buffer.byteLength(corpus)} bytes, ${queries.length} queries`);
  console.log(
    "\nNode",
    process.version,
    "(load and first use in fresh child processes; CPU counts all the process's threads)",
  );
  console.table(node);
  console.log(
    `chunkText (ragway count.ts) over the corpus: ${chunking.ms} ms, ${chunking.chunks} chunks`,
  );
  console.log("\nworkerd (Miniflare; ms measured from Node per request)");
  console.table(workerd);
  console.log(
    `\ncounts agree exactly (1 MB in Node and workerd, ${queries.length} queries): ${agree}`,
  );
  console.log(`queries counted differently from js-tiktoken: ${JSON.stringify(mismatchedQueries)}`);
  console.log(`tokens in ${JSON.stringify(bomText)}: ${JSON.stringify(bom)}`);
  return {
    corpusBytes: Buffer.byteLength(corpus),
    node,
    chunking,
    workerd,
    mismatchedQueries,
    bom,
    agree,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runTokenBench();
}
