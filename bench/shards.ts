// Retrieval quality with 1 and 4 shards on a real corpus (the PostgreSQL manual from Debian),
// built in-process the way ingestion builds it: the project's chunker, local hash embeddings,
// then per shard a binary vector index with exact re-rank and an FTS5-equivalent BM25 index,
// merged by shared/search/merge-shards. Also prints the lexical merges it was chosen over, and
// query p50/p95 at 100k synthetic chunks over 1 and 4 shards (bench/shard-fanout).
import { pathToFileURL } from "node:url";
import { chunkText } from "../shared/rag/chunk.js";
import { fuseRankings } from "../shared/rag/fusion.js";
import { topK } from "../shared/vector/vector.js";
import { hashEmbed } from "../shared/llm/hash-embedding.js";
import { createTokenCounter } from "../shared/tokens/count.js";
import { BinaryVectorIndex } from "../shared/search/binary-vector-index.js";
import { searchDense } from "../shared/search/dense-search.js";
import { bm25Score } from "../shared/search/bm25.js";
import { queryTerms } from "../shared/search/fts-tokens.js";
import { LexicalIndex } from "../shared/search/lexical-index.js";
import {
  mergeShardResults,
  type ShardHit,
  type ShardSearchResult,
} from "../shared/search/merge-shards.js";
import { shardOf } from "../shared/search/shard-placement.js";
import {
  CORPUS_DIR,
  deriveQuestions,
  INSTALL_HINT,
  loadDebianCorpus,
  type CorpusQuestion,
} from "./lib/debian-corpus.js";
import { printTable } from "./lib/stats.js";
import { runShardFanoutBench } from "./shard-fanout.js";

/** Results per query (as the INDEX object's default k is 5, recall is read at 5). */
const K = 10;
/** Candidates per list before fusion, as the INDEX object keeps: max(50, 5k). */
const CANDIDATES = 50;

interface Chunk {
  key: string;
  doc: string;
  title: string;
  text: string;
  vector: Float32Array;
}

interface Shard {
  dense: BinaryVectorIndex;
  lexical: LexicalIndex;
}

type Ranker = (q: string) => string[];

/**
 * Builds the corpus at 1 and 4 shards and prints recall@5 / MRR per search mode; then query
 * latency at 100k synthetic chunks over 1 and 4 shards (bench/shard-fanout).
 */
export async function runShardsBench(): Promise<void> {
  await runRecallBench();
  await runShardFanoutBench();
}

async function runRecallBench(): Promise<void> {
  const pages = await loadDebianCorpus();
  if (pages === null) {
    console.log(
      `The PostgreSQL manual is not installed (${CORPUS_DIR} missing or under 1,000 pages).\n` +
        `Install it with \`${INSTALL_HINT}\` (Debian/Ubuntu) and run \`npm run bench -- shards\` again.`,
    );
    return;
  }
  const questions = deriveQuestions(pages);
  const counter = createTokenCounter();
  const t0 = performance.now();
  const chunks: Chunk[] = [];
  for (const page of pages) {
    for (const ch of chunkText(page.text, { counter })) {
      chunks.push({
        key: `${page.id}#${ch.ordinal}`,
        doc: page.id,
        title: page.title,
        text: ch.text,
        // As ingestion embeds it: the title heads each chunk's text.
        vector: hashEmbed(`${page.title}\n\n${ch.text}`),
      });
    }
  }
  console.log(
    `Corpus: ${pages.length} pages of the PostgreSQL 15 manual (${CORPUS_DIR}), ${chunks.length} chunks ` +
      `(shared/rag/chunk.ts, 300 tokens), local hash embeddings (384 dims); chunked and embedded in ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s.\nQuestions: ${questions.title.length} unique page ` +
      `titles and ${questions.heading.length} unique sub-headings (first per page, two or more words), each ` +
      `answered by its own page.`,
  );

  const load = (ids: readonly number[]): Array<Float32Array | null> =>
    ids.map((id) => chunks[id]?.vector ?? null);
  const rows: Array<Array<string | number>> = [];
  const top5: Record<string, Map<string, string>> = {};
  for (const shards of [1, 4]) {
    const built = buildShards(chunks, shards);
    const run = (q: string, modes: { dense: boolean; lexical: boolean }): ShardSearchResult[] => {
      const vector = hashEmbed(q);
      const terms = queryTerms(q);
      return built.map((s) => ({
        ...(modes.dense
          ? {
              dense: searchDense(s.dense, vector, CANDIDATES, load).map((h) => ({
                id: chunks[h.id]?.key ?? "",
                score: h.score,
              })),
            }
          : {}),
        ...(modes.lexical ? { lexical: s.lexical.search(terms, CANDIDATES) } : {}),
      }));
    };
    const fused =
      (modes: { dense: boolean; lexical: boolean }): Ranker =>
      (q) =>
        mergeShardResults(run(q, modes), { k: K, candidates: CANDIDATES }).map((h) => h.id);
    const rankers: Array<[string, Ranker]> = [
      ["dense", fused({ dense: true, lexical: false })],
      ["lexical (global BM25)", fused({ dense: false, lexical: true })],
      ["hybrid (global BM25 + RRF)", fused({ dense: true, lexical: true })],
    ];
    if (shards === 1) {
      // The reference for the binary codes: every chunk's float vector scanned exactly.
      const all = chunks.map((c) => ({ id: c.key, vector: c.vector }));
      rankers.unshift([
        "dense, exact float scan",
        (q) => topK(hashEmbed(q), all, K).map((h) => h.id),
      ]);
    }
    if (shards > 1) {
      rankers.push(
        [
          "lexical, shard-local BM25 scores",
          (q) => localScoreMerge(run(q, { dense: false, lexical: true })),
        ],
        [
          "lexical, RRF over shard ranks",
          (q) => rankMerge(run(q, { dense: false, lexical: true })),
        ],
      );
    }
    for (const [name, rank] of rankers) {
      for (const [set, list] of Object.entries(questions)) {
        const tops = new Map<string, string>();
        const score = evaluate(list, (q) => {
          const ids = rank(q);
          tops.set(q, ids.slice(0, 5).join(" "));
          return ids;
        });
        top5[`${shards}:${name}:${set}`] = tops;
        const same = sameTop(top5[`1:${name}:${set}`], tops);
        rows.push([
          shards,
          built.map((s) => s.lexical.size).join("/"),
          name,
          set,
          score.recall.toFixed(3),
          score.mrr.toFixed(3),
          shards === 1 || same === null ? "" : same.toFixed(3),
        ]);
      }
    }
  }
  printTable(
    "Retrieval on the PostgreSQL manual by shard count (recall@5 = answering page among the top 5 chunks; MRR over the top 10; 'same top 5' = share of questions whose top 5 chunks equal the 1-shard list)",
    ["shards", "chunks", "search", "questions", "recall@5", "MRR", "same top 5"],
    rows,
  );
}

function buildShards(chunks: readonly Chunk[], shards: number): Shard[] {
  const placed: Chunk[][] = Array.from({ length: shards }, () => []);
  const numeric = new Map<Chunk, number>();
  chunks.forEach((c, i) => {
    numeric.set(c, i);
    placed[shardOf(c.doc, shards)]?.push(c);
  });
  return placed.map((list) => {
    const dense = new BinaryVectorIndex({
      dims: chunks[0]?.vector.length ?? 1,
      center: mean(list.slice(0, 1000)),
    });
    const lexical = new LexicalIndex();
    for (const c of list) {
      dense.upsert(numeric.get(c) ?? 0, c.doc, c.vector);
      lexical.upsert(c.key, { text: c.text, title: c.title });
    }
    return { dense, lexical };
  });
}

/** Each shard's hits by its own BM25 (its own statistics), compared as if comparable. */
function localScoreMerge(results: readonly ShardSearchResult[]): string[] {
  const hits: ShardHit[] = results.flatMap((r) =>
    (r.lexical?.hits ?? []).map((h) => ({
      id: h.id,
      score: r.lexical ? bm25Score(h.freq, h.length, r.lexical) : 0,
    })),
  );
  return hits
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .slice(0, K)
    .map((h) => h.id);
}

/** Each shard's ranking fused by rank only: the n-th hit of every shard weighs the same. */
function rankMerge(results: readonly ShardSearchResult[]): string[] {
  return fuseRankings(
    results.map((r, i) => ({ name: `s${i}`, ids: (r.lexical?.hits ?? []).map((h) => h.id) })),
  )
    .slice(0, K)
    .map((h) => h.id);
}

function evaluate(
  questions: readonly CorpusQuestion[],
  rank: Ranker,
): { recall: number; mrr: number } {
  let hits = 0;
  let rr = 0;
  for (const { q, doc } of questions) {
    const docs = rank(q).map((id) => id.slice(0, id.lastIndexOf("#")));
    const at = docs.indexOf(doc);
    if (at >= 0 && at < 5) hits += 1;
    if (at >= 0) rr += 1 / (at + 1);
  }
  return { recall: hits / Math.max(1, questions.length), mrr: rr / Math.max(1, questions.length) };
}

function sameTop(a: Map<string, string> | undefined, b: Map<string, string>): number | null {
  if (!a) return null;
  let same = 0;
  for (const [q, top] of b) if (a.get(q) === top) same += 1;
  return same / Math.max(1, b.size);
}

function mean(list: readonly Chunk[]): Float32Array | undefined {
  const first = list[0];
  if (!first) return undefined;
  const out = new Float32Array(first.vector.length);
  for (const c of list) c.vector.forEach((x, d) => (out[d] = (out[d] ?? 0) + x / list.length));
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await runShardsBench();
}
