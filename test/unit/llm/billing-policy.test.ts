import { describe, expect, it } from "vitest";
import { billingRefusal } from "../../../shared/llm/billing-policy.js";

const messages = [{ role: "user", content: "Hi" }];
const closed = { allowStore: false };

describe("billingRefusal", () => {
  it("lets an ordinary request through", () => {
    expect(billingRefusal({ messages, store: false, service_tier: "auto" }, closed)).toBeNull();
    expect(billingRefusal({ messages, service_tier: "default" }, closed)).toBeNull();
  });

  it("refuses store: true unless the operator allows it", () => {
    expect(billingRefusal({ messages, store: true }, closed)).toMatchObject({ param: "store" });
    expect(billingRefusal({ messages, store: true }, { allowStore: true })).toBeNull();
  });

  it("refuses service tiers the catalog does not price", () => {
    for (const tier of ["priority", "flex", "scale", "turbo"]) {
      expect(billingRefusal({ messages, service_tier: tier }, closed)).toMatchObject({
        param: "service_tier",
      });
    }
  });

  it("refuses audio in and out, naming where it is", () => {
    expect(billingRefusal({ messages, modalities: ["text", "audio"] }, closed)).toMatchObject({
      param: "modalities",
    });
    expect(billingRefusal({ messages, audio: { voice: "alloy" } }, closed)).toMatchObject({
      param: "audio",
    });
    const audioIn = [
      messages[0],
      { role: "user", content: [{ type: "text", text: "listen" }, { type: "input_audio" }] },
    ];
    expect(billingRefusal({ messages: audioIn }, closed)).toMatchObject({
      param: "messages[1].content[1]",
    });
    const replayed = [{ role: "assistant", content: null, audio: { id: "a1" } }];
    expect(billingRefusal({ messages: replayed }, closed)).toMatchObject({
      param: "messages[0].audio",
    });
  });
});
