// Structured logs: one JSON object per line on the console (Workers Logs / wrangler tail).
// Callers pass fields, never raw headers; as a second line of defence every line is scrubbed of
// the deployment's secrets, the request's own bearer token and credential-named fields.
import type { Logger } from "../shared/ports.js";
import { mayHoldCredential, scrubSecrets } from "../shared/security/scrub-secrets.js";

/** Field names whose values are credentials wherever they appear in a record. */
const CREDENTIAL_FIELD =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[_-]?key|password|secret|bearer)$/i;

/** Secrets shorter than this are not scrubbed (they would mangle ordinary words, and no valid
 * token is that short). */
const MIN_SECRET_LENGTH = 8;

const REDACTED = "[redacted]";

/** Exact secrets to scrub, prepared once (each with its JSON-escaped form, longest first): a
 * deployment's secrets are the same for every request, so only the request's own credential is
 * added per request ({@link withSecrets}). */
export interface SecretSet {
  readonly needles: readonly string[];
}

/** Prepares `secrets` for scrubbing; values shorter than 8 characters are left out. */
export function secretSet(secrets: readonly (string | undefined | null)[]): SecretSet {
  return withSecrets({ needles: [] }, secrets);
}

/** `set` plus `more`. Once per request (its credential): each new needle is put in its place by
 * length, without sorting the whole set again. */
export function withSecrets(
  set: SecretSet,
  more: readonly (string | undefined | null)[],
): SecretSet {
  let needles: string[] | null = null;
  for (const s of more) {
    if (!s || s.length < MIN_SECRET_LENGTH || (needles ?? set.needles).includes(s)) continue;
    needles ??= set.needles.slice();
    insertByLength(needles, s);
    const escaped = JSON.stringify(s).slice(1, -1); // as it appears inside a JSON string
    if (escaped !== s) insertByLength(needles, escaped);
  }
  return needles ? { needles } : set;
}

/** Inserts `needle` after every needle at least as long: the list stays longest first. */
function insertByLength(needles: string[], needle: string): void {
  let i = 0;
  while (i < needles.length && (needles[i]?.length ?? 0) >= needle.length) i++;
  needles.splice(i, 0, needle);
}

function scrub(line: string, set: SecretSet): string {
  let out = line;
  for (const n of set.needles) if (out.includes(n)) out = out.split(n).join(REDACTED);
  // Then anything shaped like a credential that no one told us about (an upstream's message):
  // both patterns below need a word that most lines (a request's) do not contain.
  if (!mayHoldCredential(out)) return out;
  return scrubSecrets(out.replace(/\b(Bearer|Basic)\s+[^\s"\\]+/gi, `$1 ${REDACTED}`));
}

/** A credential-named key as it appears in JSON: only a record with one needs the replacer. */
const CREDENTIAL_KEY_JSON =
  /"(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[_-]?key|password|secret|bearer)":/i;

const redactCredentialFields = (key: string, value: unknown): unknown =>
  key !== "" && CREDENTIAL_FIELD.test(key) ? REDACTED : value;

/** A logger whose records all carry `base` fields (e.g. request_id) and never contain any of
 * `secrets`. */
export function createLogger(
  base: Record<string, unknown> = {},
  secrets: readonly (string | undefined | null)[] | SecretSet = [],
): Logger {
  const set = "needles" in secrets ? secrets : secretSet(secrets);
  const write = (level: string, event: string, fields?: Record<string, unknown>): void => {
    const record = { level, event, time: new Date().toISOString(), ...base, ...fields };
    // The replacer runs on every key; most records have no credential-named key at all.
    const plain = JSON.stringify(record);
    const json = CREDENTIAL_KEY_JSON.test(plain)
      ? JSON.stringify(record, redactCredentialFields)
      : plain;
    const line = scrub(json, set);
    if (level === "error") console.error(line);
    else if (level === "warn") console.warn(line);
    else console.log(line);
  };
  return {
    info: (event, fields) => write("info", event, fields),
    warn: (event, fields) => write("warn", event, fields),
    error: (event, fields) => write("error", event, fields),
  };
}
