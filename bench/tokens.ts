// Benchmark: gpt-tokenizer vs js-tiktoken (both o200k_base) in Node and inside workerd.
// Prints numbers and checks the two agree exactly; never asserts on time. Cold builds run in
// fresh child processes (--expose-gc) so module caches and JIT state don't leak between them.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const LIBS = ["gpt-tokenizer", "js-tiktoken"] as const;
type Lib = (typeof LIBS)[number];
type Count = (text: string) => number;

/** Loads and builds an encoder in the child: the ranks module, then the encoder itself. */
const COLD_SCRIPT: Record<Lib, string> = {
  "gpt-tokenizer": `
    const r = await import("gpt-tokenizer/bpeRanks/o200k_base");
    const { GptEncoding } = await import("gpt-tokenizer/GptEncoding");
    mark("load");
    const enc = GptEncoding.getEncodingApi("o200k_base", () => r.default);
    enc.countTokens("warm up");`,
  "js-tiktoken": `
    const r = await import("js-tiktoken/ranks/o200k_base");
    const { Tiktoken } = await import("js-tiktoken/lite");
    mark("load");
    const enc = new Tiktoken(r.default);
    enc.encode("warm up");`,
};

const WORKER_SOURCE: Record<Lib, string> = {
  "gpt-tokenizer": `import { createTokenCounter } from "./shared/tokens/count.ts";
    const counter = createTokenCounter();
    const count = (t) => counter.count(t);`,
  "js-tiktoken": `import { Tiktoken } from "js-tiktoken/lite";
    import ranks from "js-tiktoken/ranks/o200k_base";
    let enc;
    const count = (t) => { enc ??= new Tiktoken(ranks); return enc.encode(t, [], []).length; };`,
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

/** mulberry32: a tiny seeded PRNG so the corpus is identical on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EN = (
  "the a edge cache token budget model answer query document chunk retrieval worker " +
  "limit request user cost fallback retry latency region index vector durable object stream " +
  "quickly reliably every never global local upstream provider context window prompt"
).split(" ");
const ZH = "边缘 缓存 令牌 预算 模型 回答 查询 文档 检索 限流 成本 重试 延迟".split(" ");
const EMOJI = ["🚀", "🔥", "✅", "👩‍💻", "📦", "⚡", "🌍"];

/** ~`bytes` of mixed English prose, Chinese, TypeScript and emoji, plus the repo's docs/*.md. */
export function buildCorpus(bytes = 1_000_000, seed = 2024): string {
  const next = prng(seed);
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
  const next = prng(seed);
  return Array.from({ length: n }, () => {
    const zh = next() < 0.2;
    const words = Array.from({ length: 4 + Math.floor(next() * 9) }, () => {
      const list = zh ? ZH : EN;
      return list[Math.floor(next() * list.length)] ?? "";
    });
    return words.join(zh ? "" : " ") + (zh ? "？" : "?");
  });
}

function coldInChild(lib: Lib): Record<string, number> {
  const code = `
    const gc = globalThis.gc; const t = {}; let t0, h0;
    const mark = (k) => { t[k] = performance.now() - t0; gc(); t[k + "Heap"] = process.memoryUsage().heapUsed - h0; };
    gc(); h0 = process.memoryUsage().heapUsed; t0 = performance.now();
    ${COLD_SCRIPT[lib]}
    mark("build");
    console.log(JSON.stringify(t));`;
  const out = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", code], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return JSON.parse(out) as Record<string, number>;
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

async function nodeCounters(): Promise<Record<Lib, Count>> {
  const { createTokenCounter } = await import("../shared/tokens/count.js");
  const { Tiktoken } = await import("js-tiktoken/lite");
  const { default: ranks } = await import("js-tiktoken/ranks/o200k_base");
  const counter = createTokenCounter();
  const tiktoken = new Tiktoken(ranks);
  return {
    "gpt-tokenizer": (t) => counter.count(t),
    "js-tiktoken": (t) => tiktoken.encode(t, [], []).length,
  };
}

async function inWorkerd(
  lib: Lib,
  corpus: string,
  queries: string[],
): Promise<Record<string, number>> {
  const { build } = await import("esbuild");
  const { Miniflare } = await import("miniflare");
  const bundle = await build({
    stdin: { contents: WORKER_SOURCE[lib] + WORKER_HANDLER, resolveDir: ROOT, loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
  });
  const script = bundle.outputFiles[0]?.text ?? "";
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
  // workerd evaluates the module at startup: compare against an empty worker, best of 3 each.
  const startups = { empty: Infinity, lib: Infinity };
  for (let i = 0; i < 3; i++) {
    for (const [key, source] of [
      ["empty", empty],
      ["lib", script],
    ] as const) {
      const booted = await boot(source);
      startups[key] = Math.min(startups[key], booted.ms);
      await booted.mf.dispose();
    }
  }
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
      startupOverEmptyMs: Math.round(startups.lib - startups.empty),
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
  const node: Record<string, Record<string, number>> = {};
  for (const lib of LIBS) {
    const cold = coldInChild(lib);
    const count = counters[lib];
    count(corpus.slice(0, 20_000));
    const runs = [0, 1, 2].map(() => time(() => count(corpus)));
    const q = time(() => queries.reduce((sum, x) => sum + count(x), 0));
    node[lib] = {
      loadRanksMs: Math.round(cold.load ?? NaN),
      buildMs: Math.round((cold.build ?? NaN) - (cold.load ?? NaN)),
      heapMiB: Math.round(((cold.buildHeap ?? NaN) / 2 ** 20) * 10) / 10,
      tokensPerSec: Math.round((runs[0]?.value ?? 0) / (median(runs.map((r) => r.ms)) / 1000)),
      queriesPerSec: Math.round(queries.length / (q.ms / 1000)),
      patho5kCharRunMs: Math.round(time(() => count(patho)).ms),
      tokens: runs[0]?.value ?? -1,
      queryTokens: q.value,
    };
  }
  const mismatchedQueries = queries.filter(
    (x) => counters["gpt-tokenizer"](x) !== counters["js-tiktoken"](x),
  ).length;
  const { chunkText } = await import("../shared/rag/chunk.js");
  const { createTokenCounter } = await import("../shared/tokens/count.js");
  const chunked = time(() => chunkText(corpus, { counter: createTokenCounter() }));
  const chunking = { ms: Math.round(chunked.ms), chunks: chunked.value.length };
  const workerd: Record<string, Record<string, number>> = {};
  for (const lib of LIBS) workerd[lib] = await inWorkerd(lib, corpus, queries);

  const rows = [node, workerd].flatMap((t) => LIBS.map((lib) => t[lib]));
  const agree =
    new Set(rows.map((r) => r?.tokens)).size === 1 &&
    new Set(rows.map((r) => r?.queryTokens)).size === 1 &&
    mismatchedQueries === 0;
  console.log(`corpus: ${Buffer.byteLength(corpus)} bytes, ${queries.length} queries`);
  console.log("\nNode", process.version);
  console.table(node);
  console.log(
    `chunkText (gpt-tokenizer) over the corpus: ${chunking.ms} ms, ${chunking.chunks} chunks`,
  );
  console.log("\nworkerd (Miniflare; ms measured from Node per request)");
  console.table(workerd);
  console.log(
    `\ncounts agree exactly (1 MB in Node and workerd, ${queries.length} queries): ${agree}`,
  );
  return {
    corpusBytes: Buffer.byteLength(corpus),
    node,
    chunking,
    workerd,
    mismatchedQueries,
    agree,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runTokenBench();
}
