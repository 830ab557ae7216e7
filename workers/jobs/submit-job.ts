// Submitting an ingestion job: the documents are prepared and compared with what the namespace
// already holds, the embedding tokens of the changed ones are reserved on the caller's limits
// (a refusal is the 429 or 413 of synchronous ingestion, before anything is queued), then the job
// is stored in its JOBS object and each changed document is queued as a reference to it.
import { newJobId } from "../../shared/jobs/job-types.js";
import type { JobMessage } from "../../shared/jobs/job-types.js";
import { planIngest, prepareDocuments } from "../../shared/rag/ingest.js";
import type { DocumentInput } from "../../shared/rag/types.js";
import type { AppContext } from "../context.js";
import { embeddingUsd } from "../embedder.js";
import { json } from "../http/respond.js";
import { releaseDetached, reserveDetached } from "../limits/spend.js";
import { getServices } from "../services.js";
import { namespaceWriter } from "../tenancy/namespace-writer.js";
import { jobStub } from "./job-stub.js";

/** `sendBatch` takes at most 100 messages. */
const SEND_BATCH = 100;

/** Creates an ingestion job for `inputs` in `namespace`; the 202 response with its view. */
export async function submitIngestJob(
  app: AppContext,
  namespace: string,
  inputs: DocumentInput[],
): Promise<Response> {
  const services = getServices(app.config);
  // One entry per id, the later one winning, as synchronous ingestion stores them.
  const prepared = [...new Map((await prepareDocuments(inputs)).map((d) => [d.id, d])).values()];
  const plan = await planIngest(prepared, {
    counter: services.counter,
    embeddingModel: app.config.embeddingModel,
    existing: namespaceWriter(app, namespace).existing,
  });
  const changed = new Set(plan.chunked.map((c) => c.doc.id));
  const reservation =
    plan.estimate > 0
      ? await reserveDetached(app, {
          tokens: plan.estimate,
          usd: embeddingUsd(app.config, plan.estimate),
        })
      : null;

  const id = newJobId(() => crypto.randomUUID());
  const stub = jobStub(app.env, id);
  const docs = prepared.map((d) => ({ id: d.id, doc: changed.has(d.id) ? d : null }));
  let view;
  try {
    view = await stub.create({ id, namespace, createdAt: Date.now(), reservation, docs });
  } catch (err) {
    if (reservation) await releaseDetached(app, reservation);
    throw err;
  }
  const seqs = docs.flatMap((d, seq) => (d.doc ? [seq] : []));
  const unsent = await enqueue(app, id, seqs);
  if (unsent.length > 0) {
    // The job finishes without them (and settles): the caller sees which failed and can resend.
    await stub.fail(unsent, "could not be queued; submit it again");
    view = (await stub.view()) ?? view;
  }
  app.logFields.job = id;
  app.logFields.documents = prepared.length;
  app.logFields.tokens = plan.estimate;
  return json(view, { status: 202, headers: { location: `/v1/jobs/${id}` } });
}

/** Queues one message per document, 100 per call; the seqs that could not be queued. */
async function enqueue(app: AppContext, job: string, seqs: number[]): Promise<number[]> {
  for (let i = 0; i < seqs.length; i += SEND_BATCH) {
    const slice = seqs.slice(i, i + SEND_BATCH);
    try {
      await app.env.INGEST_QUEUE.sendBatch(
        slice.map((seq) => ({ body: { job, seq } satisfies JobMessage })),
      );
    } catch (err) {
      app.logger.error("job_enqueue_failed", { job, error: String(err) });
      return seqs.slice(i);
    }
  }
  return [];
}
