// GET /v1/jobs/:id: an ingestion job's progress. A job belongs to its namespace: a key reads the
// jobs of the namespaces it is granted (with documents:read or documents:write), and any other id,
// unknown or foreign, is the same 404, so ids of other tenants' jobs cannot be probed.
import type { RoutedRequest } from "../http/routed-request.js";
import { isJobId } from "../../shared/jobs/job-types.js";
import { resolveNamespace } from "../../shared/tenancy/grants.js";
import type { AppContext } from "../context.js";
import { HttpError } from "../errors.js";
import { json } from "../http/respond.js";
import { jobStub } from "../jobs/job-stub.js";
import { ensureGrants } from "../limits/admission.js";
import { grantsOf } from "../tenancy/permissions.js";

export async function getJob(request: RoutedRequest, app: AppContext): Promise<Response> {
  const id = String(request.params.id ?? "");
  if (!isJobId(id)) throw jobNotFound(id);
  await ensureGrants(app);
  const view = await jobStub(app.env, id).view();
  if (!view || !resolveNamespace(grantsOf(app), view.namespace).ok) throw jobNotFound(id);
  app.logFields.namespace = view.namespace;
  app.logFields.job = id;
  return json(view);
}

function jobNotFound(id: string): HttpError {
  return new HttpError("job_not_found", `job "${id.slice(0, 64)}" not found`, { param: "id" });
}
