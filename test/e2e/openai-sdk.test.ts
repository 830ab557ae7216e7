// End to end: the official `openai` SDK, unchanged, pointed at `wrangler dev` as its baseURL, for
// chat (stream and non-stream), embeddings and model listing; once against the mock upstream
// and once offline with the local provider.
import OpenAI, { APIError, AuthenticationError } from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "../mock-upstream/server.js";
import { createApiKey } from "../support/api-key.js";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.js";

// The SDK authenticates like any client: with a key an admin created, anonymous access off.
const ADMIN_TOKEN = "e2e-admin-token-0123456789";

describe("the openai SDK against ragway with an OpenAI-compatible upstream", () => {
  let mock: MockUpstream;
  let dev: WranglerDev;
  let client: OpenAI;

  beforeAll(async () => {
    mock = await startMockUpstream({ port: 0 });
    dev = await startWranglerDev({
      vars: {
        OPENAI_API_KEY: "sk-e2e",
        OPENAI_BASE_URL: mock.url,
        SEED_SAMPLE_CORPUS: "false",
        RETRY_BASE_MS: "5",
        RETRY_CAP_MS: "50",
        ADMIN_TOKEN,
        ALLOW_ANONYMOUS: "false",
      },
    });
    const { key: apiKey } = await createApiKey(dev.url, ADMIN_TOKEN, { name: "openai-sdk" });
    client = new OpenAI({ apiKey, baseURL: `${dev.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await dev?.stop();
    await mock?.close();
  });

  beforeEach(() => {
    mock.reset();
  });

  it("creates a chat completion, with the model that answered and usage", async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: "gpt-4o-mini",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "What is ragway?" },
        ],
        temperature: 0,
      })
      .withResponse();
    expect(data.object).toBe("chat.completion");
    expect(data.model).toBe("gpt-4o-mini");
    expect(data.choices[0]?.message.content).toMatch(
      /^Mock answer from gpt-4o-mini: What is ragway\?/,
    );
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-model-reason")).toBe("explicit");
    expect(mock.requests().at(-1)?.body).toMatchObject({ model: "gpt-4o-mini", temperature: 0 });
  });

  it("streams a chat completion chunk by chunk, with usage when asked", async () => {
    const stream = await client.chat.completions.create({
      model: "auto",
      messages: [{ role: "user", content: "Name the cache tiers." }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text).toMatch(/^Mock answer from gpt-4.1-nano: Name the cache tiers\./);
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });

  it("raises an error when the upstream stream is cut, instead of ending quietly", async () => {
    mock.configure({ cutStreamAfterChunks: 3 });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Tell me everything about streams." }],
      stream: true,
    });
    let text = "";
    const read = async (): Promise<void> => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    };
    await expect(read()).rejects.toThrow(/stream/);
    expect(text.length).toBeGreaterThan(0);
  });

  it("falls back to another model when the first fails, and the SDK sees a normal answer", async () => {
    mock.configure({ errorStatus: 503, failModels: ["gpt-4o-mini"] });
    const { data, response } = await client.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    expect(data.model).not.toBe("gpt-4o-mini");
    expect(response.headers.get("x-degraded")).toBe("true");
  });

  it("gets a 503 APIError in OpenAI's error shape when every model fails", async () => {
    mock.configure({ errorStatus: 500 });
    const error = await client.chat.completions
      .create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(503);
    expect((error as APIError).code).toBe("upstream_unavailable");
  });

  it("creates embeddings for a string and an array (base64 by default in the SDK)", async () => {
    const one = await client.embeddings.create({ model: "text-embedding-3-small", input: "alpha" });
    expect(one.data[0]?.embedding).toHaveLength(1536);
    const two = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: ["alpha", "beta"],
    });
    expect(two.data.map((d) => d.index)).toEqual([0, 1]);
    const a = one.data[0]?.embedding ?? [];
    const b = two.data[0]?.embedding ?? [];
    expect(b.every((x, i) => Math.abs(x - (a[i] ?? NaN)) < 1e-6)).toBe(true);
    expect(two.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it("lists and retrieves models, auto included", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(["auto", "gpt-4o-mini", "text-embedding-3-small"]));
    expect((await client.models.retrieve("auto")).id).toBe("auto");
  });

  it("refuses a key the gateway never issued with the SDK's AuthenticationError", async () => {
    const stranger = new OpenAI({
      apiKey: "rgw_notakey_0000000000000000",
      baseURL: `${dev.url}/v1`,
      maxRetries: 0,
    });
    const error = await stranger.models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as APIError).status).toBe(401);
  });
});

describe("the openai SDK against ragway offline (local provider)", () => {
  let dev: WranglerDev;
  let client: OpenAI;

  beforeAll(async () => {
    dev = await startWranglerDev({
      vars: { SEED_SAMPLE_CORPUS: "false", ADMIN_TOKEN, ALLOW_ANONYMOUS: "false" },
    });
    const { key: apiKey } = await createApiKey(dev.url, ADMIN_TOKEN, {
      name: "openai-sdk-offline",
    });
    client = new OpenAI({ apiKey, baseURL: `${dev.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await dev?.stop();
  });

  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
    {
      role: "system",
      content: "Ragway answers from your documents.\n\nKeys get 60 requests per minute.",
    },
    { role: "user", content: "How many requests per minute does a key get?" },
  ];

  it("answers a chat completion with the offline chat model, labelled as such", async () => {
    const completion = await client.chat.completions.create({ model: "auto", messages });
    expect(completion.model).toBe("local-extractive");
    const content = completion.choices[0]?.message.content ?? "";
    expect(content).toContain("How many requests per minute does a key get?");
    expect(content).toMatch(/local offline model/);
    expect(content).not.toMatch(/Keys get 60/);
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it("streams the same answer", async () => {
    const whole = await client.chat.completions.create({ model: "auto", messages });
    const stream = await client.chat.completions.create({ model: "auto", messages, stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe(whole.choices[0]?.message.content);
  });

  it("embeds with the local model and lists the local models", async () => {
    const res = await client.embeddings.create({ model: "local-hash-embed", input: ["a", "b"] });
    expect(res.data[0]?.embedding).toHaveLength(384);
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(["auto", "local-extractive", "local-hash-embed"]);
  });
});
