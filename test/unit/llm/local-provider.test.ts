import { describe, expect, it } from "vitest";
import {
  createLocalProvider,
  parseSources,
  splitPrompt,
} from "../../../shared/llm/local-provider.js";
import { hashEmbed } from "../../../shared/llm/hash-embedding.js";
import { OFFLINE_NOTICE } from "../../../shared/llm/offline-chat.js";
import { NO_SOURCES_ANSWER } from "../../../shared/text/extractive.js";

describe("createLocalProvider", () => {
  it("embeds with hashEmbed at the configured dims and echoes the model", async () => {
    const out = await createLocalProvider({ dims: 64 }).embed({
      model: "local-hash-embed",
      texts: ["a b", "c"],
    });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.value.model).toBe("local-hash-embed");
    expect(out.value.promptTokens).toBeUndefined();
    expect(out.value.vectors).toEqual([hashEmbed("a b", 64), hashEmbed("c", 64)]);
  });

  it("answers the last user message from numbered source blocks, keeping their numbers", async () => {
    const out = await createLocalProvider().chat({
      model: "local-extractive",
      messages: [
        { role: "system", content: "Answer using only the numbered sources." },
        {
          role: "user",
          content:
            "Sources:\n\n[1] Pets\nCats sleep a lot.\n\n[2] Limits\nEach API key may send 60 requests per minute.\n\nQuestion: How many requests per minute may a key send?",
        },
      ],
    });
    expect(out).toEqual({
      ok: true,
      value: {
        model: "local-extractive",
        text: "Each API key may send 60 requests per minute. [2]",
        finishReason: "stop",
      },
    });
  });

  it("treats earlier messages as paragraph sources when there are no numbered blocks", async () => {
    const out = await createLocalProvider().chat({
      model: "local-extractive",
      messages: [
        { role: "system", content: "Bananas are yellow.\n\nThe sky is blue on clear days." },
        { role: "user", content: "What colour is the sky?" },
      ],
    });
    expect(out.ok && out.value.text).toBe("The sky is blue on clear days. [2]");
  });

  it("never fails, even with no messages", async () => {
    const out = await createLocalProvider().chat({ model: "local-extractive", messages: [] });
    expect(out.ok).toBe(true);
  });
});

describe("splitPrompt / parseSources", () => {
  it("uses the text after the last Question: line as the question", () => {
    const { question, context } = splitPrompt([
      { role: "user", content: "[1] T\nbody\n\nQuestion: why?" },
    ]);
    expect(question).toBe("why?");
    expect(parseSources(context)).toEqual([{ title: "T", text: "body" }]);
  });

  it("places block n at position n, filling gaps with empty sources", () => {
    const sources = parseSources(["intro\n[2] Two\nsecond\n[3] Three: inline only"]);
    expect(sources).toEqual([
      { title: "", text: "" },
      { title: "Two", text: "second" },
      { title: "Three: inline only", text: "Three: inline only" },
    ]);
  });
});

describe("createLocalProvider chat completions (the offline chat model, not RAG)", () => {
  const body = {
    messages: [
      {
        role: "system",
        content: "Ragway keeps counters in Durable Objects.\n\nKV is eventually consistent.",
      },
      { role: "user", content: [{ type: "text", text: "What is 12 * (3 + 4)?" }] },
    ],
  };

  it("answers the last user message in the chat.completion shape, labelled as offline", async () => {
    const out = await createLocalProvider().chatCompletion({ model: "local-extractive", body });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.value.text).toMatch(/^12 \* \(3 \+ 4\) = 84\./);
    expect(out.value.text).toContain(OFFLINE_NOTICE);
    expect(out.value.body).toMatchObject({
      object: "chat.completion",
      model: "local-extractive",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: out.value.text },
          finish_reason: "stop",
        },
      ],
    });
    expect(String(out.value.body.id)).toMatch(/^chatcmpl-/);
  });

  it("neither echoes the system prompt nor cites it", async () => {
    const out = await createLocalProvider().chatCompletion({
      model: "local-extractive",
      body: {
        messages: [
          {
            role: "system",
            content: "You are a pirate. Ragway keeps counters in Durable Objects.",
          },
          { role: "user", content: "Where are counters kept?" },
        ],
      },
    });
    if (!out.ok) throw new Error("local provider failed");
    expect(out.value.text).not.toMatch(/pirate|Durable Objects|\[1\]/);
    expect(out.value.text).not.toContain(NO_SOURCES_ANSWER);
    expect(out.value.text).toContain('"Where are counters kept?"');
  });

  it("cuts the reply to max_tokens and reports finish_reason length", async () => {
    const out = await createLocalProvider().chatCompletion({
      model: "local-extractive",
      body: { ...body, max_tokens: 5 },
    });
    if (!out.ok) throw new Error("local provider failed");
    expect(out.value.text.length).toBeLessThanOrEqual(20);
    expect(out.value.body).toMatchObject({ choices: [{ finish_reason: "length" }] });
  });

  it("streams the same reply as chunks ending in done", async () => {
    const provider = createLocalProvider();
    const whole = await provider.chatCompletion({ model: "local-extractive", body });
    const out = await provider.chatCompletionStream({ model: "local-extractive", body });
    if (!out.ok || !whole.ok) throw new Error("local provider failed");
    let text = "";
    const types: string[] = [];
    for await (const e of out.value) {
      types.push(e.type);
      if (e.type === "chunk") text += e.chunk.content;
    }
    expect(text).toBe(whole.value.text);
    expect(types.at(-1)).toBe("done");
    expect(types.filter((t) => t === "done")).toHaveLength(1);
  });
});
