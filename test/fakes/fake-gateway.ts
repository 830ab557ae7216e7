// An in-memory gateway behind a fetch function: the two routes the ingest CLI calls, validated
// with the API's real request schemas, with change detection like the server's and switchable
// faults (429 with Retry-After, 503, refused batches, a dead network).
import { IngestRequestSchema, LookupRequestSchema } from "../../shared/api/schemas.js";
import { stableStringify } from "../../shared/util/hash.js";

interface Stored {
  hash: string;
  metadata: Record<string, string | number | boolean>;
  chunks: number;
  text: string;
}

export interface FakeGateway {
  fetch: typeof fetch;
  docs: Map<string, Stored>;
  /** Every request, as "METHOD path (n)" with n = ids or documents sent. */
  log: string[];
  uploads(): number;
  faults: {
    /** Answer the next n calls (any route) with this status. */
    failNext: Array<{ status: number; retryAfter?: string }>;
    /** Refuse (400) any batch holding a document whose text contains this marker. */
    poison?: string;
    /** Every call fails at the network level. */
    down: boolean;
    /** Lookup answers 404, as an older server would. */
    noLookup: boolean;
    /** Refuse `"async"` with 400, as a server from before ingestion jobs would. */
    noJobs: boolean;
    /** Polls of a job before it reports finished (default 1). */
    jobPolls?: number;
  };
  /** Ingestion jobs: their documents' outcomes, filled in when the job finishes. */
  jobs: Map<string, FakeJob>;
  embeddingModel: string;
}

interface FakeJob {
  id: string;
  docs: Array<{
    id: string;
    text: string;
    title?: string;
    source?: string;
    metadata?: Stored["metadata"];
  }>;
  polls: number;
  view: Record<string, unknown> & { done: number; failed: number; remaining: number };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function error(status: number, code: string, message: string, param: string | null = null) {
  return json(status, { error: { message, type: "x", code, param }, request_id: "req_fake" });
}

/** A fresh fake gateway. */
export function createFakeGateway(): FakeGateway {
  const gw: FakeGateway = {
    docs: new Map(),
    log: [],
    uploads: () => gw.log.filter((l) => l.startsWith("POST /v1/documents ")).length,
    faults: { failNext: [], down: false, noLookup: false, noJobs: false },
    jobs: new Map(),
    embeddingModel: "local-hash-embed",
    fetch: async (input, init) => {
      if (gw.faults.down) throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
      const url = new URL(
        typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
      );
      const body: unknown = JSON.parse(typeof init?.body === "string" ? init.body : "{}");
      const fault = gw.faults.failNext.shift();
      if (fault) {
        gw.log.push(`${fault.status} ${url.pathname}`);
        return json(
          fault.status,
          { error: { message: "fault", type: "x", code: "fault", param: null }, request_id: "r" },
          fault.retryAfter ? { "retry-after": fault.retryAfter } : {},
        );
      }
      if (url.pathname === "/v1/documents/lookup") {
        if (gw.faults.noLookup) return error(404, "not_found", "no route");
        const parsed = LookupRequestSchema.safeParse(body);
        if (!parsed.success) return error(400, "invalid_request", parsed.error.message);
        gw.log.push(`POST /v1/documents/lookup (${parsed.data.ids.length})`);
        const found = parsed.data.ids.filter((id) => gw.docs.has(id));
        return json(200, {
          object: "list",
          embedding_model: gw.embeddingModel,
          documents: found.map((id) => {
            const d = gw.docs.get(id) as Stored;
            return {
              id,
              content_hash: d.hash,
              embedding_model: gw.embeddingModel,
              metadata: d.metadata,
              chunks: d.chunks,
              updated_at: new Date(0).toISOString(),
            };
          }),
          missing: parsed.data.ids.filter((id) => !gw.docs.has(id)),
        });
      }
      const jobPath = /^\/v1\/jobs\/(.+)$/.exec(url.pathname);
      if (jobPath) {
        const job = gw.jobs.get(decodeURIComponent(jobPath[1] ?? ""));
        gw.log.push(`GET /v1/jobs`);
        if (!job) return error(404, "job_not_found", "no such job", "id");
        job.polls++;
        if (job.polls >= (gw.faults.jobPolls ?? 1) && job.view.remaining > 0) finishJob(job);
        return json(200, job.view);
      }
      if (url.pathname === "/v1/documents") {
        if (gw.faults.noJobs && typeof body === "object" && body !== null && "async" in body) {
          return error(400, "invalid_request", "async: unknown field `async`", "async");
        }
        const parsed = IngestRequestSchema.safeParse(body);
        if (!parsed.success) return error(400, "invalid_request", parsed.error.message);
        gw.log.push(`POST /v1/documents (${parsed.data.documents.length})`);
        if (parsed.data.async === true) {
          const id = `job_${String(gw.jobs.size).padStart(32, "0")}`;
          const n = parsed.data.documents.length;
          const job: FakeJob = {
            id,
            docs: parsed.data.documents.map((d) => ({ ...d, id: d.id ?? "" })),
            polls: 0,
            view: {
              object: "ingest.job",
              id,
              namespace: "default",
              state: "queued",
              total: n,
              done: 0,
              failed: 0,
              remaining: n,
              errors: [],
              chunks: 0,
              embedding_tokens: 0,
              created_at: 0,
              finished_at: null,
            },
          };
          gw.jobs.set(id, job);
          return json(202, job.view, { location: `/v1/jobs/${id}` });
        }
        const poisoned = parsed.data.documents.findIndex(
          (d) => gw.faults.poison !== undefined && d.text.includes(gw.faults.poison),
        );
        if (poisoned >= 0) {
          return error(400, "invalid_request", "blocked content", `documents.${poisoned}.text`);
        }
        const results = parsed.data.documents.map((d) => store({ ...d, id: d.id ?? "" }));
        return json(200, {
          object: "list",
          documents: results,
          index_version: 1,
          usage: { embedding_tokens: 0 },
        });
      }
      return error(404, "not_found", `no route for ${url.pathname}`);
    },
  };

  function store(d: FakeJob["docs"][number]) {
    const hash = stableStringify({ t: d.text, ti: d.title, s: d.source, m: d.metadata });
    const prior = gw.docs.get(d.id);
    if (prior?.hash === hash) return { id: d.id, status: "unchanged", chunks: 0 };
    const chunks = 1 + Math.floor(d.text.length / 1000);
    gw.docs.set(d.id, { hash, metadata: d.metadata ?? {}, chunks, text: d.text });
    return { id: d.id, status: prior ? "updated" : "created", chunks };
  }

  /** Ingests a job's documents; a poisoned one fails in the job instead of refusing the call. */
  function finishJob(job: FakeJob): void {
    const errors: Array<{ id: string; reason: string }> = [];
    let chunks = 0;
    for (const d of job.docs) {
      if (gw.faults.poison !== undefined && d.text.includes(gw.faults.poison)) {
        errors.push({ id: d.id, reason: "bad_request (400): blocked content" });
      } else chunks += store(d).chunks;
    }
    const failed = errors.length;
    Object.assign(job.view, {
      state:
        failed === 0
          ? "completed"
          : failed === job.docs.length
            ? "failed"
            : "completed_with_errors",
      done: job.docs.length - failed,
      failed,
      remaining: 0,
      errors,
      chunks,
      finished_at: 1,
    });
  }
  return gw;
}
