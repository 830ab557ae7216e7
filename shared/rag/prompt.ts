// The grounded-answer prompt: numbered sources, then the question. The model is told to cite
// sources as [n] so answers from upstream models and the extractive answer read alike.
import type { ChatMessage } from "../llm/types.js";

export const RAG_SYSTEM_PROMPT =
  "You answer questions using only the numbered sources provided. Cite every claim with the " +
  "source number in brackets, like [1]. If the sources do not contain the answer, say so briefly.";

/** Builds the chat messages for a grounded answer over an already formatted context block. */
export function buildRagMessages(question: string, context: string): ChatMessage[] {
  return [
    { role: "system", content: RAG_SYSTEM_PROMPT },
    { role: "user", content: `Sources:\n\n${context}\n\nQuestion: ${question}` },
  ];
}
