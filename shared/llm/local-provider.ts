// The offline provider: hashing embeddings, extractive answers from a RAG prompt's own sources
// (the query path), and an offline chat model for OpenAI-compatible chat, which is not RAG. It is
// the last link of every fallback chain, so it never returns a failure. Hashing a batch of chunk
// texts is CPU work of ~100 ms: it gives way to the event loop every EMBED_SLICE_CHARS.
import { extractiveAnswer, type ExtractiveSource } from "../text/extractive.js";
import { toPlainMessages } from "./chat-messages.js";
import { chunkObject, completionId, completionObject, streamPieces } from "./completion-shapes.js";
import { HASH_EMBED_DIMS, hashEmbed } from "./hash-embedding.js";
import { offlineChatReply, type OfflineReply } from "./offline-chat.js";
import { YieldBudget } from "../util/yield-budget.js";
import type {
  ChatMessage,
  ChatRequest,
  ChatResult,
  Completion,
  CompletionRequest,
  EmbedResult,
  Outcome,
  Provider,
  StreamEvent,
} from "./types.js";

/** Options for {@link createLocalProvider}. */
export interface LocalProviderOptions {
  /** Embedding length. Default 384 (`local-hash-embed`). */
  dims?: number;
}

// A numbered source header as the RAG prompt writes it: "[2] Title" on its own line.
const BLOCK_HEADER_RE = /^\s*\[(\d{1,4})\]\s*(.*)$/;
// Tokens per character, roughly, to turn `maxTokens` into a character budget.
const CHARS_PER_TOKEN = 4;
// Characters hashed between two yields (~5-10 ms of CPU); a single query never yields.
const EMBED_SLICE_CHARS = 12_000;

/**
 * Creates the `local` provider. `embed` hashes each text ({@link hashEmbed}); `chat` (the RAG
 * path) answers the last user message extractively from the other messages' content, split into
 * `[n] Title` blocks (citations keep those numbers) or else into paragraphs. `chatCompletion` and
 * `chatCompletionStream` are the offline chat model ({@link offlineChatReply}) in OpenAI's
 * shapes: they answer the last user message alone, labelled as offline, so OpenAI-compatible chat
 * works with no model configured without pretending to retrieve. No usage is reported: callers
 * count tokens themselves.
 *
 * @example
 * const local = createLocalProvider();
 * await local.chat({ model: "local-extractive", messages: [{ role: "user", content: "hi" }] });
 */
export function createLocalProvider(opts: LocalProviderOptions = {}): Provider {
  const dims = opts.dims ?? HASH_EMBED_DIMS;
  hashEmbed("", dims); // validates dims once, at construction

  const reply = (request: CompletionRequest): OfflineReply => {
    const maxTokens = completionCap(request.body);
    const maxChars = maxTokens !== undefined ? maxTokens * CHARS_PER_TOKEN : undefined;
    return offlineChatReply(toPlainMessages(request.body.messages), { maxChars });
  };

  return {
    name: "local",
    async embed(request): Promise<Outcome<EmbedResult>> {
      const budget = new YieldBudget(EMBED_SLICE_CHARS);
      const vectors: Float32Array[] = [];
      for (const text of request.texts) {
        vectors.push(hashEmbed(text, dims));
        await budget.spend(text.length);
      }
      return { ok: true, value: { model: request.model, vectors } };
    },
    async chat(request: ChatRequest): Promise<Outcome<ChatResult>> {
      const { question, context } = splitPrompt(request.messages);
      const maxChars =
        request.maxTokens !== undefined && request.maxTokens > 0
          ? request.maxTokens * CHARS_PER_TOKEN
          : undefined;
      const { answer } = extractiveAnswer(question, parseSources(context), { maxChars });
      return { ok: true, value: { model: request.model, text: answer, finishReason: "stop" } };
    },
    async chatCompletion(request: CompletionRequest): Promise<Outcome<Completion>> {
      const { text, finishReason } = reply(request);
      const body = completionObject({
        id: completionId(),
        created: Math.floor(Date.now() / 1000),
        model: request.model,
        text,
        finishReason,
      });
      return { ok: true, value: { body, text } };
    },
    async chatCompletionStream(
      request: CompletionRequest,
    ): Promise<Outcome<AsyncGenerator<StreamEvent, void, undefined>>> {
      return { ok: true, value: localStream(request.model, reply(request)) };
    },
  };
}

/** The completion cap a request asks for (`max_completion_tokens` wins), if any. */
function completionCap(body: Record<string, unknown>): number | undefined {
  const cap = body.max_completion_tokens ?? body.max_tokens;
  return typeof cap === "number" && cap > 0 ? cap : undefined;
}

/** The reply as OpenAI chunks: role, one chunk per word, finish, then `[DONE]`. */
async function* localStream(
  model: string,
  { text, finishReason }: OfflineReply,
): AsyncGenerator<StreamEvent, void, undefined> {
  const id = completionId();
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: Record<string, unknown>, finishReason: string | null, content: string) =>
    ({
      type: "chunk",
      chunk: { raw: chunkObject({ id, created, model, delta, finishReason }), content },
    }) as const;
  yield chunk({ role: "assistant", content: "" }, null, "");
  for (const piece of streamPieces(text)) yield chunk({ content: piece }, null, piece);
  yield chunk({}, finishReason, "");
  yield { type: "done" };
}

// A RAG prompt may carry its sources in the user message too: "Sources: ... Question: <q>".
const QUESTION_MARKER_RE = /^[ \t]*question[ \t]*:[ \t]*/gim;

/**
 * The last user message is the question; every other message's content is context. If that
 * message has a `Question:` line, only the text after it is the question and the text before
 * it is context as well.
 */
export function splitPrompt(messages: readonly ChatMessage[]): {
  question: string;
  context: string[];
} {
  let last = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === "user") {
      last = i;
      break;
    }
  }
  const context = messages.filter((_, i) => i !== last).map((m) => m.content);
  const content = messages[last]?.content ?? "";
  const marker = [...content.matchAll(QUESTION_MARKER_RE)].at(-1);
  const asked = marker ? content.slice(marker.index + marker[0].length).trim() : "";
  if (!marker || asked === "") return { question: content, context };
  return { question: asked, context: [...context, content.slice(0, marker.index)] };
}

/**
 * Turns context into sources. If any `[n] Title` headers appear, only those blocks count (text
 * before the first header is instructions) and block n lands at position n, so the answer's
 * `[n]` matches the prompt's numbering; otherwise each paragraph is a source.
 */
export function parseSources(context: readonly string[]): ExtractiveSource[] {
  const blocks = new Map<number, ExtractiveSource>();
  let current: ExtractiveSource | undefined;
  for (const content of context) {
    current = undefined; // a block never spans two messages
    for (const line of content.split(/\r?\n/)) {
      const header = BLOCK_HEADER_RE.exec(line);
      const n = header ? Number(header[1]) : 0;
      if (header && n >= 1) {
        current = blocks.get(n) ?? { title: (header[2] ?? "").trim(), text: "" };
        blocks.set(n, current);
      } else if (current) {
        current.text += `${line}\n`;
      }
    }
  }
  if (blocks.size > 0) {
    const max = Math.max(...blocks.keys());
    return Array.from({ length: max }, (_, i) => {
      const block = blocks.get(i + 1) ?? { title: "", text: "" };
      const text = block.text.trim();
      // "[n] Title: the text" on one line: the header is all there is.
      return { title: block.title, text: text || block.title };
    });
  }
  return context
    .flatMap((c) => c.split(/\n\s*\n/))
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((text) => ({ title: "", text }));
}
