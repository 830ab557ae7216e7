// GET /v1/documents: one page of a namespace's documents (no text), filtered by id prefix and
// exact metadata values. Query parameters are validated like bodies: an unknown one is named with the
// parameter it most likely stands for.
import type { RoutedRequest } from "../http/routed-request.js";
import { decodeCursor, encodeCursor } from "../../shared/api/list-cursor.js";
import { ListDocumentsQuerySchema } from "../../shared/api/schemas.js";
import type { AppContext } from "../context.js";
import { HttpError } from "../errors.js";
import { validate } from "../http/read-json.js";
import { json } from "../http/respond.js";
import { requireLiveNamespace } from "../tenancy/namespace-index.js";
import { listNamespaceDocuments } from "../tenancy/namespace-documents.js";
import { namespaceFor } from "../tenancy/permissions.js";
import { ensureGrants } from "../limits/admission.js";

// `metadata.lang=en` (curl-friendly) or `metadata[lang]=en` (OpenAPI's deepObject style).
const METADATA_PARAM_RE = /^metadata(?:\.(.+)|\[(.+)\])$/;

/** GET /v1/documents?namespace=&limit=&cursor=&prefix=&metadata.<key>=<value> */
export async function getDocuments(request: RoutedRequest, app: AppContext): Promise<Response> {
  const query = validate(ListDocumentsQuerySchema, queryObject(new URL(request.url)));
  let after: string | undefined;
  if (query.cursor !== undefined) {
    const id = decodeCursor(query.cursor);
    if (id === null) {
      throw new HttpError("invalid_request", "cursor: not a cursor this API returned", {
        param: "cursor",
      });
    }
    after = id;
  }
  await ensureGrants(app);
  const namespace = namespaceFor(app, query.namespace);
  const page = await listNamespaceDocuments(app, namespace, {
    limit: query.limit,
    after,
    prefix: query.prefix,
    metadata: query.metadata,
  });
  // Only an empty page pays for telling "no such namespace" from "no documents".
  if (page.documents.length === 0) await requireLiveNamespace(app, namespace);
  const last = page.documents.at(-1);
  app.logFields.documents = page.documents.length;
  return json({
    object: "list",
    namespace,
    data: page.documents,
    next_cursor: page.hasMore && last ? encodeCursor(last.id) : null,
  });
}

/**
 * The query string as an object for the schema: `metadata.<key>` parameters gathered under
 * `metadata`, a repeated parameter as an array (which the schema then refuses by name).
 */
function queryObject(url: URL): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const metadata: Record<string, unknown> = {};
  const put = (target: Record<string, unknown>, key: string, value: string) => {
    const prior = target[key];
    target[key] =
      prior === undefined
        ? value
        : Array.isArray(prior)
          ? [...(prior as unknown[]), value]
          : [prior, value];
  };
  for (const [name, value] of url.searchParams) {
    const match = METADATA_PARAM_RE.exec(name);
    const key = match?.[1] ?? match?.[2];
    if (key !== undefined) put(metadata, key, value);
    else put(out, name, value);
  }
  if (Object.keys(metadata).length > 0) out.metadata = metadata;
  return out;
}
