import { describe, expect, it } from "vitest";
import {
  createLocalProvider,
  parseSources,
  splitPrompt,
} from "../../../shared/llm/local-provider.js";
import { hashEmbed } from "../../../shared/llm/hash-embedding.js";

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
