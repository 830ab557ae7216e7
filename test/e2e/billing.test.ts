// End to end: a streaming client that hangs up after the first chunk, over real HTTP through
// `wrangler dev`, is still billed what the upstream reported for the whole call: the gateway
// reads the abandoned stream to its usage chunk after the client is gone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "../mock-upstream/server.js";
import { createApiKey } from "../support/api-key.js";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.js";

const ADMIN_TOKEN = "e2e-admin-token-0123456789";

interface Budget {
  budget: { daily: { spent_usd: number; reserved_usd: number } };
  tokens: { used_today: number };
}

describe("a stream whose client hangs up", () => {
  let mock: MockUpstream;
  let dev: WranglerDev;

  beforeAll(async () => {
    mock = await startMockUpstream({ port: 0 });
    dev = await startWranglerDev({
      vars: {
        OPENAI_API_KEY: "sk-e2e",
        OPENAI_BASE_URL: mock.url,
        SEED_SAMPLE_CORPUS: "false",
        ADMIN_TOKEN,
        ALLOW_ANONYMOUS: "false",
      },
    });
  });

  afterAll(async () => {
    await dev?.stop();
    await mock?.close();
  });

  it("is billed the upstream's reported usage for its 20 images, not what it received", async () => {
    mock.configure({
      usage: { prompt_tokens: 15_000, completion_tokens: 40 },
      streamChunkDelayMs: 20,
    });
    const { key } = await createApiKey(dev.url, ADMIN_TOKEN, {
      name: "hangs-up",
      tpm: 5_000_000,
      daily_budget_usd: 5,
    });
    const images = Array.from({ length: 20 }, (_, i) => ({
      type: "image_url",
      image_url: { url: `https://images.example/${i}.png`, detail: "high" },
    }));
    const client = new AbortController();
    const res = await fetch(`${dev.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "gpt-4o-mini",
        max_tokens: 50,
        stream: true,
        messages: [
          { role: "user", content: [{ type: "text", text: "Describe these." }, ...images] },
        ],
      }),
      signal: client.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body?.getReader();
    expect((await reader?.read())?.done).toBe(false);
    client.abort();

    // Settlement runs after the response, in waitUntil: wait for the hold to be given back.
    let usage: Budget | undefined;
    for (let i = 0; i < 200; i++) {
      const r = await fetch(`${dev.url}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
      usage = await r.json<Budget>();
      if (usage.budget.daily.reserved_usd === 0 && usage.budget.daily.spent_usd > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // gpt-4o-mini: 15,000 prompt tokens at $0.15 and 40 completion tokens at $0.60 per 1M.
    expect(usage?.budget.daily.spent_usd).toBeCloseTo((15_000 * 0.15 + 40 * 0.6) / 1e6, 12);
    expect(usage?.tokens.used_today).toBe(15_040);
  });
});
