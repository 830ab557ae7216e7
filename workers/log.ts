// Structured logs: one JSON object per line on the console (Workers Logs / wrangler tail).
// Callers pass fields, never raw headers; as a second line of defence every line is scrubbed of
// the deployment's secrets, the request's own bearer token and credential-named fields.
import type { Logger } from "../shared/ports.js";
import { scrubSecrets } from "../shared/security/scrub-secrets.js";

/** Field names whose values are credentials wherever they appear in a record. */
const CREDENTIAL_FIELD =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[_-]?key|password|secret|bearer)$/i;

/** Secrets shorter than this are not scrubbed (they would mangle ordinary words, and no valid
 * token is that short). */
const MIN_SECRET_LENGTH = 8;

const REDACTED = "[redacted]";

function scrubber(secrets: readonly (string | undefined | null)[]): (line: string) => string {
  const needles = new Set<string>();
  for (const s of secrets) {
    if (!s || s.length < MIN_SECRET_LENGTH) continue;
    needles.add(s);
    needles.add(JSON.stringify(s).slice(1, -1)); // as it appears inside a JSON string
  }
  const ordered = [...needles].sort((a, b) => b.length - a.length);
  return (line) => {
    let out = line;
    for (const n of ordered) if (out.includes(n)) out = out.split(n).join(REDACTED);
    // Then anything shaped like a credential that no one told us about (an upstream's message).
    return scrubSecrets(out.replace(/\b(Bearer|Basic)\s+[^\s"\\]+/gi, `$1 ${REDACTED}`));
  };
}

/** A logger whose records all carry `base` fields (e.g. request_id) and never contain any of
 * `secrets`. */
export function createLogger(
  base: Record<string, unknown> = {},
  secrets: readonly (string | undefined | null)[] = [],
): Logger {
  const scrub = scrubber(secrets);
  const write = (level: string, event: string, fields?: Record<string, unknown>): void => {
    const record = { level, event, time: new Date().toISOString(), ...base, ...fields };
    const line = scrub(
      JSON.stringify(record, (key, value: unknown) =>
        key !== "" && CREDENTIAL_FIELD.test(key) ? REDACTED : value,
      ),
    );
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
