// Traffic for the console's browser tests and screenshots: keys with different limits, answered
// questions (misses and cache hits), a few client errors and a rate-limited key, all through the
// public API of a running gateway, so every console page has something real to show.
import { createApiKey, type IssuedKey } from "./api-key.js";

/** What the traffic left behind, for assertions. */
export interface ConsoleTraffic {
  keys: { mobile: IssuedKey; batch: IssuedKey; tight: IssuedKey };
  /** Request ids of the answered queries. */
  answered: string[];
}

const QUESTIONS = [
  "How does ragway keep per-user rate limits exact?",
  "What happens when the upstream model fails?",
  "How are answers cached across tiers?",
  "How is the cost of a query computed?",
];

async function ask(url: string, key: string, query: string): Promise<Response> {
  return fetch(`${url}/v1/query`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ query, k: 4 }),
  });
}

/** Sends the traffic; resolves once every request has answered. */
export async function sendConsoleTraffic(url: string, adminToken: string): Promise<ConsoleTraffic> {
  const mobile = await createApiKey(url, adminToken, { name: "mobile-app", rpm: 120 });
  const batch = await createApiKey(url, adminToken, {
    name: "nightly-batch",
    rpm: 600,
    daily_budget_usd: 20,
  });
  const tight = await createApiKey(url, adminToken, { name: "trial-user", rpm: 2 });
  const answered: string[] = [];
  for (const [i, q] of [...QUESTIONS, ...QUESTIONS.slice(0, 2)].entries()) {
    const res = await ask(url, i % 2 === 0 ? mobile.key : batch.key, q);
    if (res.status !== 200) throw new Error(`query: ${res.status} ${await res.text()}`);
    answered.push(res.headers.get("x-request-id") ?? "");
    await res.arrayBuffer();
  }
  await sendVariety(url, { mobile, batch, tight });
  return { keys: { mobile, batch, tight }, answered };
}

/** The requests that are not plain answers: a rate-limited key's refusal (429), a misspelled
 * field (400), an unknown route (404) and a model listing. */
export async function sendVariety(url: string, keys: ConsoleTraffic["keys"]): Promise<void> {
  // A key allowed 2 requests a minute: its third is refused.
  for (let i = 0; i < 3; i++)
    await (await ask(url, keys.tight.key, QUESTIONS[0] ?? "")).arrayBuffer();
  const bad = await fetch(`${url}/v1/query`, {
    method: "POST",
    headers: { authorization: `Bearer ${keys.mobile.key}`, "content-type": "application/json" },
    body: JSON.stringify({ question: "hi" }),
  });
  await bad.arrayBuffer();
  await (await fetch(`${url}/v1/nope`)).arrayBuffer();
  const models = await fetch(`${url}/v1/models`, {
    headers: { authorization: `Bearer ${keys.batch.key}` },
  });
  await models.arrayBuffer();
}

/** A steady trickle of questions for `seconds` (some repeat, so some hit the cache), so the
 * usage charts have points to draw. */
export async function sendSteadyTraffic(
  url: string,
  keys: readonly string[],
  seconds: number,
): Promise<void> {
  const until = Date.now() + seconds * 1000;
  for (let i = 0; Date.now() < until; i++) {
    const q = QUESTIONS[i % QUESTIONS.length] ?? "";
    const key = keys[i % keys.length] ?? "";
    const res = await ask(url, key, i % 3 === 0 ? `${q} (${i})` : q);
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 400 + (i % 4) * 150));
  }
}
