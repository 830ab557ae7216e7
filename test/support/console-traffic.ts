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
  // A rate-limited key: its third request in a minute is refused with 429.
  for (let i = 0; i < 3; i++) await (await ask(url, tight.key, QUESTIONS[0] ?? "")).arrayBuffer();
  // Client errors: a misspelled field, an unknown route.
  const bad = await fetch(`${url}/v1/query`, {
    method: "POST",
    headers: { authorization: `Bearer ${mobile.key}`, "content-type": "application/json" },
    body: JSON.stringify({ question: "hi" }),
  });
  await bad.arrayBuffer();
  await (await fetch(`${url}/v1/nope`)).arrayBuffer();
  await (
    await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${batch.key}` } })
  ).arrayBuffer();
  return { keys: { mobile, batch, tight }, answered };
}

/** A steady trickle of questions for `seconds` (some repeat, so some hit the cache), so the
 * usage charts have points to draw. */
export async function sendSteadyTraffic(url: string, key: string, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  for (let i = 0; Date.now() < until; i++) {
    const q = QUESTIONS[i % QUESTIONS.length] ?? "";
    const res = await ask(url, key, i % 3 === 0 ? `${q} (${i})` : q);
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 400 + (i % 4) * 150));
  }
}
