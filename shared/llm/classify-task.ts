// Task complexity from cheap signals (no model call): prompt size, question shape, words that ask
// for reasoning or comparison, code, and how many chunks were retrieved. It must stay cheap and
// deterministic: it runs on every `model: "auto"` request and its output is a cache-key input.

export type Complexity = "simple" | "moderate" | "complex";

/** What the classifier looks at. */
export interface TaskInput {
  /** The ask itself: the query, or the last user message. */
  question: string;
  /** Tokens of the question (exact). */
  questionTokens: number;
  /** Tokens of everything else in the prompt: retrieved context, history, system prompt. */
  contextTokens: number;
  /** Chunks retrieved for a RAG query (absent for plain chat). */
  chunks?: number;
  /** Other text to scan for code (e.g. earlier messages). */
  extraText?: string;
}

/** The verdict, with the signals that produced it (they go into the routing reason). */
export interface TaskProfile {
  complexity: Complexity;
  score: number;
  signals: string[];
}

// Words that ask for reasoning, comparison or synthesis rather than a lookup.
const REASONING_RE =
  /\b(compar(?:e|es|ed|ing|ison)|contrast|versus|vs\.?|differen(?:ce|ces|t from)|trade-?offs?|pros and cons|why|explain|analy[sz](?:e|es|is)|evaluate|assess|justify|prove|derive|reason(?:ing)?|step[- ]by[- ]step|implications?|recommend|critique|design|architect|optimi[sz]e|strateg(?:y|ies)|which is better|should (?:i|we))\b/gi;
const LONG_ANSWER_RE =
  /\b(in detail|detailed|comprehensive|thorough(?:ly)?|essay|write (?:a|an)|summari[sz]e (?:all|every)|walk me through)\b/i;
const LOOKUP_RE =
  /^\s*(what|who|when|where|which|is|are|does|do|can|how (?:many|much|long|often)|list|define|name)\b/i;
const CODE_RE =
  /```|^\s{4,}\S.*[;{}]\s*$|\bfunction\s+\w+\s*\(|=>|\bdef\s+\w+\s*\(|\bclass\s+\w+[\s:{(]|\bimport\s+[\w{*]|#include\s*<|\bSELECT\s+.+\s+FROM\b/im;

/**
 * Classifies a task. Points: a longer question (+1 past 60 tokens, +2 past 250), a large prompt
 * besides it (+1 past 4k tokens, +2 past 16k), two or more questions (+1), reasoning words (+2,
 * or +4 for two different ones), code (+2), asking for a long answer (+1), many retrieved chunks
 * (+1 at 8 or more); a short lookup-shaped question without reasoning words scores -1.
 * Score <= 1 is simple, 2-3 moderate, 4+ complex.
 *
 * @example
 * classifyTask({ question: "What is the default k?", questionTokens: 7, contextTokens: 900, chunks: 5 });
 * // { complexity: "simple", score: -1, signals: ["lookup"] }
 */
export function classifyTask(input: TaskInput): TaskProfile {
  const signals: string[] = [];
  let score = 0;
  const add = (points: number, signal: string): void => {
    score += points;
    signals.push(signal);
  };

  if (input.questionTokens > 250) add(2, "long-question");
  else if (input.questionTokens > 60) add(1, "long-question");
  if (input.contextTokens > 16_000) add(2, "large-prompt");
  else if (input.contextTokens > 4_000) add(1, "large-prompt");
  if ((input.question.match(/\?/g) ?? []).length >= 2) add(1, "multi-part");

  const reasoning = new Set(
    [...input.question.matchAll(REASONING_RE)].map((m) => m[1]?.toLowerCase().slice(0, 6)),
  );
  if (reasoning.size >= 2) add(4, "reasoning");
  else if (reasoning.size === 1) add(2, "reasoning");
  if (
    CODE_RE.test(input.question) ||
    (input.extraText !== undefined && CODE_RE.test(input.extraText))
  ) {
    add(2, "code");
  }
  if (LONG_ANSWER_RE.test(input.question)) add(1, "long-answer");
  if (input.chunks !== undefined && input.chunks >= 8) add(1, "many-chunks");

  if (reasoning.size === 0 && LOOKUP_RE.test(input.question) && atMostWords(input.question, 15)) {
    add(-1, "lookup");
  }

  const complexity: Complexity = score >= 4 ? "complex" : score >= 2 ? "moderate" : "simple";
  return { complexity, score, signals };
}

/** Whether `text` has at most `max` words; reads no further than the word past them. */
function atMostWords(text: string, max: number): boolean {
  const word = /\S+/g;
  let words = 0;
  while (word.exec(text) !== null) if (++words > max) return false;
  return true;
}

/** The lowest quality tier that handles a task of this complexity. */
export function requiredQualityTier(complexity: Complexity): 1 | 2 | 3 {
  switch (complexity) {
    case "simple":
      return 1;
    case "moderate":
      return 2;
    case "complex":
      return 3;
  }
}
