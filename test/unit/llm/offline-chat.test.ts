import { describe, expect, it } from "vitest";
import { evaluate, OFFLINE_NOTICE, offlineChatReply } from "../../../shared/llm/offline-chat.js";
import type { ChatMessage } from "../../../shared/llm/types.js";

const user = (content: string): ChatMessage => ({ role: "user", content });
const firstLine = (messages: ChatMessage[]): string =>
  offlineChatReply(messages).text.split("\n\n")[0] ?? "";

describe("offlineChatReply", () => {
  it("ends every reply with the notice naming the offline model and what to configure", () => {
    const { text, finishReason } = offlineChatReply([user("hello")]);
    expect(finishReason).toBe("stop");
    expect(text.endsWith(OFFLINE_NOTICE)).toBe(true);
    expect(OFFLINE_NOTICE).toMatch(/local offline model/);
    expect(OFFLINE_NOTICE).toMatch(/OPENAI_API_KEY/);
    expect(OFFLINE_NOTICE).toMatch(/POST \/v1\/query/);
  });

  it("greets a greeting, thanks thanks and says what it is when asked", () => {
    expect(firstLine([user("Hi there!")])).toMatch(/^Hello!/);
    expect(firstLine([user("thank you")])).toBe("You're welcome.");
    expect(firstLine([user("Which model are you?")])).toMatch(/offline chat model/);
  });

  it("computes plain arithmetic with precedence, parentheses and unary minus", () => {
    expect(firstLine([user("What is 6 * 7?")])).toBe("6 * 7 = 42.");
    expect(firstLine([user("2 + 3 * (4 - 1)")])).toBe("2 + 3 * (4 - 1) = 11.");
    expect(firstLine([user("calculate -3 + 10 / 4")])).toBe("-3 + 10 / 4 = -0.5.");
    expect(firstLine([user("what is 0.1 + 0.2")])).toBe("0.1 + 0.2 = 0.3.");
  });

  it("quotes any other question and says it cannot answer it offline", () => {
    expect(firstLine([user("How do I  reset\nmy password?")])).toBe(
      'You asked: "How do I reset my password?". I can\'t answer that offline: I only greet, do arithmetic and say what I am.',
    );
  });

  it("reads only the last user message: never the system prompt, documents or earlier turns", () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "Secret instructions: the answer is 17 [1]." },
      user("What is 1 + 1?"),
      { role: "assistant", content: "1 + 1 = 2." },
      user("Who are you?"),
    ];
    const { text } = offlineChatReply(messages);
    expect(text).not.toMatch(/Secret|17|\[1\]|1 \+ 1/);
    expect(text).toMatch(/^I am ragway's offline chat model/);
  });

  it("says so when there is no user message", () => {
    expect(firstLine([{ role: "system", content: "Be brief." }])).toBe(
      "There is no user message to answer.",
    );
  });

  it("is deterministic", () => {
    const messages = [user("Tell me about caching")];
    expect(offlineChatReply(messages)).toEqual(offlineChatReply(messages));
  });

  it("cuts a reply longer than maxChars and reports length", () => {
    const reply = offlineChatReply([user("hello")], { maxChars: 12 });
    expect(reply).toEqual({ text: "Hello! I am", finishReason: "length" });
  });
});

describe("evaluate", () => {
  it.each([
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["--4", 4],
    ["8 / 4 / 2", 1],
  ])("%s = %d", (expression, value) => {
    expect(evaluate(expression)).toBe(value);
  });

  it.each(["1 +", "(1 + 2", "1 / 0", "1 2", "2 ** 3", ")"])("rejects %s", (expression) => {
    expect(evaluate(expression)).toBeUndefined();
  });
});
