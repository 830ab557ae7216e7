// The route's scope when this isolate does not know a key's grants yet: a spending route defers
// its admission to its first reservation, so the scope is checked as soon as that one call
// returns the grants. A refusal then is a 403 that still counts against the window and gives
// back what the call reserved; once the grants are known, the before stage refuses at once.
import { describe, expect, it } from "vitest";
import { callSettled } from "./helpers.js";
import { bearer, createKey, usage } from "./limits-helpers.js";

interface ErrorBody {
  error: { message: string; type: string; code: string };
}

const TPM = 50_000;
const messages = [{ role: "user", content: "How many requests per minute does a key get?" }];

async function scopedKey(scopes: string[]): Promise<string> {
  // Under 60 rpm a lease holds no spare admits: what the window counted is exactly the requests.
  const created = await createKey({ name: "scoped", rpm: 10, tpm: TPM, scopes });
  return created.key;
}

function chat(key: string) {
  return callSettled<ErrorBody>("POST", "/v1/chat/completions", {
    body: { model: "auto", messages },
    headers: bearer(key),
  });
}

describe("a key's scope checked by its deferred admission", () => {
  it("refuses chat to a key without the chat scope, counting the request and holding nothing", async () => {
    const key = await scopedKey(["query"]);
    const first = await chat(key);
    expect(first.status).toBe(403);
    expect(first.body.error).toMatchObject({ code: "permission_denied" });
    expect(first.body.error.message).toMatch(/"chat" scope/);
    let now = await usage(key);
    expect(now.requests.used).toBe(1);
    expect(now.tokens.remaining).toBe(TPM);
    expect(now.budget.daily.reserved_usd).toBe(0);

    // Now this isolate knows the key's grants: refused in the before stage, counted all the same.
    const second = await chat(key);
    expect(second.status).toBe(403);
    now = await usage(key);
    expect(now.requests.used).toBe(2);
    expect(now.tokens.remaining).toBe(TPM);
  });

  it("refuses a query to a key without the query scope before it reads its namespace", async () => {
    const key = await scopedKey(["chat"]);
    const res = await callSettled<ErrorBody>("POST", "/v1/query", {
      body: { query: "what is the answer?" },
      headers: bearer(key),
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/"query" scope/);
    const now = await usage(key);
    expect(now.requests.used).toBe(1);
    expect(now.tokens.remaining).toBe(TPM);
  });

  it("answers a key with the scope, first seen or known", async () => {
    const key = await scopedKey(["chat"]);
    expect((await chat(key)).status).toBe(200);
    expect((await chat(key)).status).toBe(200);
    expect((await usage(key)).requests.used).toBe(2);
  });

  it("refuses a namespace the key has no access to after admitting it", async () => {
    const key = await scopedKey(["query"]);
    const res = await callSettled<ErrorBody>("POST", "/v1/query", {
      body: { query: "what is the answer?", namespace: "elsewhere" },
      headers: bearer(key),
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/namespace "elsewhere"/);
    expect((await usage(key)).requests.used).toBe(1);
  });
});
