// The Worker's `queue` handler: the ingestion queue's consumer and its dead-letter queue's, as
// thin glue over shared/jobs. A message that is not a job reference is acknowledged and logged
// (retrying it cannot help). Each invocation ends with one log line, like a request's.
import { failDeadLetters } from "../../shared/jobs/dead-letters.js";
import { runIngestMessages, type Verdict } from "../../shared/jobs/ingest-messages.js";
import { JobMessageSchema, type JobMessage } from "../../shared/jobs/job-types.js";
import { ingestPrepared } from "../../shared/rag/ingest.js";
import { embedderFor, embeddingUsd } from "../embedder.js";
import type { Config } from "../env.js";
import { HttpError } from "../errors.js";
import { scheduleMetricsFlush } from "../metrics.js";
import { getServices } from "../services.js";
import { namespaceWriter } from "../tenancy/namespace-writer.js";
import { createJobContext } from "./job-context.js";
import { jobPorts } from "./job-stub.js";

/** Dead-letter queues are the ingestion queue's name with this suffix (wrangler.toml). */
const DEAD_LETTER_SUFFIX = "-dlq";
/** Queues cap a retry's delay at 12 hours. */
const MAX_DELAY_SECONDS = 43_200;

/** Consumes one batch of the ingestion queue or its dead-letter queue. */
export async function handleQueue(
  batch: MessageBatch,
  env: Env,
  exec: ExecutionContext,
  config: Config,
): Promise<void> {
  const app = createJobContext(config, env, exec, batch.queue);
  const started = Date.now();
  const valid: Array<{ message: Message; body: JobMessage }> = [];
  for (const message of batch.messages) {
    const parsed = JobMessageSchema.safeParse(message.body);
    if (parsed.success) valid.push({ message, body: parsed.data });
    else {
      app.logger.warn("queue_message_invalid", { queue: batch.queue, id: message.id });
      message.ack();
    }
  }
  const deadLetters = batch.queue.endsWith(DEAD_LETTER_SUFFIX);
  let retried = 0;
  try {
    if (deadLetters) {
      await failDeadLetters(
        valid.map((v) => v.body),
        jobPorts(app.env),
      );
      for (const v of valid) v.message.ack();
    } else {
      const verdicts = await runIngestMessages(
        valid.map((v) => ({ ...v.body, attempts: v.message.attempts })),
        ingestDeps(app),
      );
      for (const [i, v] of valid.entries()) retried += apply(v.message, verdicts[i]);
    }
  } catch (err) {
    // Nothing acknowledged: the whole batch is delivered again (done documents are skipped).
    app.logger.error("queue_batch_failed", {
      queue: batch.queue,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    throw err;
  } finally {
    app.logger.info("queue_batch", {
      queue: batch.queue,
      messages: batch.messages.length,
      retried,
      latency_ms: Date.now() - started,
      ...app.logFields,
    });
    scheduleMetricsFlush(app);
  }
}

/** Acks or retries a message per its verdict; 1 when retried. */
function apply(message: Message, verdict: Verdict | undefined): number {
  if (!verdict || verdict.ack) {
    message.ack();
    return 0;
  }
  const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.ceil(verdict.delayMs / 1000));
  message.retry(delaySeconds > 0 ? { delaySeconds } : {});
  return 1;
}

/** The consumer's ports: the synchronous path's embedder, ingestion and namespace writer. */
function ingestDeps(app: ReturnType<typeof createJobContext>) {
  const services = getServices(app.config);
  let tokens = 0;
  return {
    jobs: jobPorts(app.env),
    usdOf: (n: number) => embeddingUsd(app.config, n),
    policy: services.retryPolicy,
    random: Math.random,
    ingest: async (namespace: string, docs: Parameters<typeof ingestPrepared>[0]) => {
      try {
        const result = await ingestPrepared(docs, {
          counter: services.counter,
          embeddingModel: app.config.embeddingModel,
          embed: embedderFor(app, "ingest"),
          ...namespaceWriter(app, namespace),
        });
        if (result.ok) {
          for (const d of result.value.documents) {
            app.metrics.inc("ragway_documents_ingested_total", { status: d.status });
          }
          tokens += result.value.embeddingTokens;
          app.logFields.tokens = tokens;
        }
        return result;
      } catch (err) {
        // The namespace was deleted while the job waited: its documents cannot be written.
        if (err instanceof HttpError && err.code === "namespace_not_found") {
          return {
            ok: false as const,
            failure: { reason: "bad_request" as const, message: err.message, retryable: false },
          };
        }
        throw err;
      }
    },
  };
}
