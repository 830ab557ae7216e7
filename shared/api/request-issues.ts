// How a request body's schema violation reads to a client: an unknown field is named with the
// known field it most likely stands for, a missing field is called missing, and `param` always
// names the field. An unknown field is reported before anything else, because it usually explains
// the rest (`{"question": "hi"}` is missing `query` only because `query` was misspelt).
import type { z } from "zod";
import { closestField } from "./closest-field.js";

/** The client-facing account of a violation: the message and the offending field's path. */
export interface RequestIssue {
  message: string;
  param: string | null;
}

/** The zod error map requests are parsed with (see {@link describeRequestIssues}). */
export const requestErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === "unrecognized_keys") {
    const known = shapeKeys(issue.inst);
    const [first, ...rest] = issue.keys;
    const suggestion = first !== undefined ? closestField(first, known) : undefined;
    return (
      `unknown field \`${first ?? ""}\`` +
      (suggestion ? `; did you mean \`${suggestion}\`?` : "") +
      (rest.length > 0 ? ` (also unknown: ${rest.map((k) => `\`${k}\``).join(", ")})` : "")
    );
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return `required field is missing (expected ${issue.expected})`;
  }
  return undefined;
};

/**
 * The issue to report from a failed parse (made with {@link requestErrorMap}): the first unknown
 * field if any, else the first issue. `param` is the dotted path of the field (an unknown field's
 * own name appended), `message` starts with it.
 *
 * @example
 * const r = QueryRequestSchema.safeParse({ question: "hi" }, { error: requestErrorMap });
 * describeRequestIssues(r.error.issues);
 * // { param: "question", message: "question: unknown field `question`; did you mean `query`?" }
 */
export function describeRequestIssues(issues: readonly z.core.$ZodIssue[]): RequestIssue {
  const issue = issues.find((i) => i.code === "unrecognized_keys") ?? issues[0];
  if (!issue) return { message: "invalid request", param: null };
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys" && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const param = path.length > 0 ? path.join(".") : null;
  return { message: `${param ? `${param}: ` : ""}${issue.message}`, param };
}

/** The field names of the object schema that raised an issue ([] when it is not an object). */
function shapeKeys(inst: unknown): string[] {
  if (typeof inst !== "object" || inst === null || !("_zod" in inst)) return [];
  const internals = inst._zod;
  if (typeof internals !== "object" || internals === null || !("def" in internals)) return [];
  const def = internals.def;
  if (typeof def !== "object" || def === null || !("shape" in def)) return [];
  const shape = def.shape;
  return typeof shape === "object" && shape !== null ? Object.keys(shape) : [];
}
