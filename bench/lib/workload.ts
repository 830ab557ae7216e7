// A realistic query workload for the cache benchmark: ~300 distinct questions about the sample
// corpus, drawn Zipf-like (a few very popular, a long tail), some of them reworded. Seeded, so
// every run replays the same sequence.
import { readFile } from "node:fs/promises";
import { seeded } from "../../test/support/seeded-random.js";

/**
 * `count` distinct questions: the labelled evaluation questions first, then questions built from
 * the docs' section headings.
 */
export async function distinctQuestions(count: number): Promise<string[]> {
  const root = new URL("../../", import.meta.url);
  const labelled = (
    JSON.parse(await readFile(new URL("bench/eval/questions.json", root), "utf8")) as Array<{
      q: string;
    }>
  ).map((x) => x.q);
  const pages = [
    "overview",
    "quickstart",
    "architecture",
    "retrieval",
    "caching",
    "api",
    "rate-limits",
    "tokens-and-cost",
    "models-and-routing",
    "resilience",
    "keys-and-auth",
    "observability",
    "configuration-and-deploy",
  ];
  const headings: string[] = [];
  for (const page of pages) {
    const text = await readFile(new URL(`docs/${page}.md`, root), "utf8");
    for (const m of text.matchAll(/^##+\s+(.+)$/gm)) if (m[1]) headings.push(m[1].trim());
  }
  const templates = [
    (h: string) => `What does the documentation say about ${h}?`,
    (h: string) => `How does ${h} work in ragway?`,
    (h: string) => `Explain ${h} briefly.`,
  ];
  const out = new Set(labelled);
  for (const template of templates) {
    for (const h of headings) {
      if (out.size >= count) break;
      out.add(template(h));
    }
  }
  return [...out].slice(0, count);
}

/**
 * Rewordings a user might send for the same question. The first two change only punctuation
 * and function words (the local embedder drops those: similarity ~1.0); the third adds a content
 * word (similarity ~0.9, below a 0.95 threshold).
 */
export function paraphrases(question: string): string[] {
  const bare = question.replace(/[?.!]+$/, "");
  return [`${bare.toLowerCase()}`, `so, ${bare}?`, `Please, ${bare.toLowerCase()}?`];
}

/** Index in [0, n) with P(i) proportional to 1 / (i + 1)^s. */
export function zipfSampler(n: number, s: number, rand: () => number): () => number {
  const cdf: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += 1 / (i + 1) ** s;
    cdf.push(total);
  }
  return () => {
    const x = rand() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** `length` queries: Zipf(s) over `questions`, a `paraphraseShare` of them reworded. */
export function zipfWorkload(
  questions: readonly string[],
  options: { length: number; s: number; paraphraseShare: number; seed: number },
): Array<{ query: string; paraphrase: boolean }> {
  const rand = seeded(options.seed);
  const pick = zipfSampler(questions.length, options.s, rand);
  return Array.from({ length: options.length }, () => {
    const base = questions[pick()] ?? "";
    if (rand() >= options.paraphraseShare) return { query: base, paraphrase: false };
    const variants = paraphrases(base);
    return { query: variants[Math.floor(rand() * variants.length)] ?? base, paraphrase: true };
  });
}
