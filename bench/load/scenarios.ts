// The load-test scenarios: what each sends, as autocannon request lists. Fixed and seeded, so two
// runs send the same traffic and their numbers compare.
import type { Request as CannonRequest } from "autocannon";
import { seeded } from "../../test/support/seeded-random.js";

export interface Scenario {
  name: string;
  description: string;
  requests: CannonRequest[];
  /** Statuses that are the point of the scenario, not errors (429 for the limited key). */
  expected: number[];
}

/** Questions about the sample corpus (docs/), which wrangler dev seeds. */
export const POPULAR = [
  "How does ragway keep per-user rate limits exact?",
  "What does the result cache key contain?",
  "How is a query answered end to end?",
  "Which models can auto choose from?",
  "How do I deploy ragway to Cloudflare?",
  "What happens when the upstream model fails?",
  "How are tokens counted before a request is sent?",
  "What are the cache tiers?",
  "How are API keys stored?",
  "What does /health report?",
];

const json = { "content-type": "application/json" };

function query(body: Record<string, unknown>, auth: Record<string, string>): CannonRequest {
  return {
    method: "POST",
    path: "/v1/query",
    headers: { ...json, ...auth },
    body: JSON.stringify(body),
  };
}

/** A request whose query text is new every time, so no cache tier can answer it. */
function uniqueQuery(auth: Record<string, string>, counter: { n: number }): CannonRequest {
  return {
    ...query({ query: "placeholder" }, auth),
    setupRequest: (req) => {
      counter.n++;
      return {
        ...req,
        headers: { ...json, ...auth },
        body: JSON.stringify({ query: `Explain topic number ${counter.n} of the gateway` }),
      };
    },
  };
}

/** The fixed scenarios. `auth` is the Authorization header (empty for anonymous). */
export function scenarios(options: {
  auth: Record<string, string>;
  limitedAuth: Record<string, string> | null;
  seed?: number;
}): Scenario[] {
  const counter = { n: 0 };
  const random = seeded(options.seed ?? 42);
  const list: Scenario[] = [
    {
      name: "cache-hit",
      description: "the same question again and again: answered by the result cache",
      requests: [query({ query: POPULAR[0] }, options.auth)],
      expected: [],
    },
    {
      name: "miss",
      description: "a new question every time: embedding and generation at the upstream (300 ms)",
      requests: [uniqueQuery(options.auth, counter)],
      expected: [],
    },
  ];
  if (options.limitedAuth) {
    list.push({
      name: "limited-key",
      description: "one key over its request limit: 429s with Retry-After, fast",
      requests: [query({ query: POPULAR[1] }, options.limitedAuth)],
      expected: [429],
    });
  }
  list.push({
    name: "mixed",
    description:
      "70% popular questions, 15% new questions, 5% each health, document reads and lookups",
    requests: [
      {
        method: "POST",
        path: "/v1/query",
        headers: { ...json, ...options.auth },
        // autocannon writes Content-Length into the headers object it is given, so every
        // request gets its own (a GET reusing a POST's would make the server wait for a body).
        setupRequest: (req) => {
          const r = random();
          const post = (path: string, body: unknown) => ({
            ...req,
            method: "POST" as const,
            path,
            headers: { ...json, ...options.auth },
            body: JSON.stringify(body),
          });
          const get = (path: string) => ({
            ...req,
            method: "GET" as const,
            path,
            headers: { ...options.auth },
            body: undefined,
          });
          if (r < 0.7) {
            return post("/v1/query", { query: POPULAR[Math.floor(random() * POPULAR.length)] });
          }
          if (r < 0.85) {
            counter.n++;
            return post("/v1/query", { query: `What is special about item ${counter.n}?` });
          }
          if (r < 0.9) return get("/health");
          if (r < 0.95) return get("/v1/documents/caching");
          return post("/v1/documents/lookup", { ids: ["caching", "retrieval", "not-there"] });
        },
      },
    ],
    expected: [],
  });
  return list;
}
