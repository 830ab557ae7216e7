// The JOBS object of a job, and the job ports the queue consumers are given.
import type { DeadLetterPorts } from "../../shared/jobs/dead-letters.js";
import type { JobPorts } from "../../shared/jobs/ingest-messages.js";
import type { JobsObject } from "../do/jobs-object.js";

/** The JOBS object holding job `id`. */
export function jobStub(env: Env, id: string): DurableObjectStub<JobsObject> {
  return env.JOBS.get(env.JOBS.idFromName(id));
}

/** The JOBS objects as the ingestion consumers use them. */
export function jobPorts(env: Env): JobPorts & DeadLetterPorts {
  return {
    claim: (job, seqs) => jobStub(env, job).claim(seqs),
    complete: (job, outcomes, spent) => jobStub(env, job).complete(outcomes, spent),
    noteFailure: (job, seqs, reason) => jobStub(env, job).noteFailure(seqs, reason),
    fail: (job, seqs, fallback) => jobStub(env, job).fail(seqs, fallback),
  };
}
