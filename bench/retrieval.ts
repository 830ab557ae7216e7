// Retrieval quality on the sample corpus: each evaluation question is labelled with the docs page
// that answers it; recall@5 and MRR for dense, lexical and fused (hybrid) search, side by side.
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { postJson } from "./lib/http-load.js";
import { printTable } from "./lib/stats.js";
import { startWranglerDev } from "../test/support/wrangler-dev.js";

interface Question {
  q: string;
  doc: string;
}

interface QueryResponse {
  sources: Array<{ id: string }>;
}

const MODES = ["dense", "lexical", "hybrid"] as const;
/** Chunks retrieved per question; recall is measured on the first 5, MRR over all 10. */
const DEPTH = 10;

export interface RetrievalScores {
  mode: string;
  recallAt5: number;
  mrr: number;
}

/** Scores one ranking of document ids (chunk order, duplicates allowed) against the label. */
export function scoreRanking(ids: readonly string[], label: string): { hit5: boolean; rr: number } {
  const rank = ids.indexOf(label);
  return { hit5: rank >= 0 && rank < 5, rr: rank >= 0 ? 1 / (rank + 1) : 0 };
}

/** Runs the evaluation set against a running gateway seeded with the sample corpus. */
export async function evaluateRetrieval(baseUrl: string): Promise<RetrievalScores[]> {
  const questions = JSON.parse(
    await readFile(new URL("./eval/questions.json", import.meta.url), "utf8"),
  ) as Question[];
  const results: RetrievalScores[] = [];
  for (const mode of MODES) {
    let hits = 0;
    let rrSum = 0;
    for (const { q, doc } of questions) {
      const res = await fetch(
        `${baseUrl}/v1/query`,
        postJson({ query: q, k: DEPTH, retrieval: mode, use_cache: false }),
      );
      if (!res.ok) throw new Error(`query failed (${res.status}): ${await res.text()}`);
      const body = await res.json<QueryResponse>();
      const score = scoreRanking(
        body.sources.map((s) => s.id),
        doc,
      );
      hits += score.hit5 ? 1 : 0;
      rrSum += score.rr;
    }
    results.push({ mode, recallAt5: hits / questions.length, mrr: rrSum / questions.length });
  }
  return results;
}

/** Starts wrangler dev (local provider, sample corpus) and prints the scores. */
export async function runRetrievalBench(): Promise<RetrievalScores[]> {
  const dev = await startWranglerDev({ vars: { SEED_SAMPLE_CORPUS: "true" } });
  try {
    const questions = JSON.parse(
      await readFile(new URL("./eval/questions.json", import.meta.url), "utf8"),
    ) as Question[];
    const scores = await evaluateRetrieval(dev.url);
    printTable(
      `Retrieval quality: ${questions.length} labelled questions over the sample corpus (chunk ranks; recall@5 = labelled page among the top 5 chunks, MRR over the top ${DEPTH})`,
      ["search", "recall@5", "MRR"],
      scores.map((s) => [s.mode, s.recallAt5.toFixed(3), s.mrr.toFixed(3)]),
    );
    return scores;
  } finally {
    await dev.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await runRetrievalBench();
}
