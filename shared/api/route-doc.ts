// The shape of one route's description (RouteDoc), apart from the descriptions themselves
// (route-docs.ts and its *-route-docs.ts groups), so the route table and the descriptions both
// depend on it and not on each other.
import type { z } from "zod";

/** A schema and the name it gets under `components.schemas`. */
export interface NamedSchema {
  name: string;
  schema: z.ZodType;
}

/** `schema` filed under `components.schemas` as `name` (names must be unique across routes). */
export const named = (name: string, schema: z.ZodType): NamedSchema => ({ name, schema });

/** One route's description. Statuses every route shares (400/413/415 for bodies, 401 for auth,
 * 413/429 when limited or spending, 500) are derived from `request` and the route's row in the
 * route table (access, counted, spends). */
export interface RouteDoc {
  operationId: string;
  summary: string;
  description: string;
  tag: "System" | "Documents" | "Query" | "OpenAI" | "Limits" | "Admin";
  request?: NamedSchema;
  /** The body size limit the route enforces (413 beyond it). */
  maxBodyBytes?: string;
  /** The body may be left out entirely. */
  optionalBody?: boolean;
  response: {
    description: string;
    /** The success status when it is not 200. */
    status?: 201;
    schema: NamedSchema;
    /** Extra representations of the same 200, e.g. Server-Sent Events. */
    alternatives?: Record<string, string>;
    /** A non-JSON body: its media type; `schema` then describes the text. */
    mediaType?: string;
    headers?: Record<string, string>;
  };
  /** A second success: 202 Accepted, the work continues after the response (a job). */
  accepted?: { description: string; schema: NamedSchema; headers?: Record<string, string> };
  pathParams?: Record<string, string>;
  /** Optional query-string parameters: name -> meaning. */
  queryParams?: Record<string, string>;
  /** Acts in one namespace, chosen by the request (`namespace`), else the key's first. */
  namespaced?: boolean;
  /** Route-specific errors beyond the shared ones: status -> when. */
  errors?: Record<number, string>;
}
