// Credentials that may hide in text we did not write: an upstream's error message (OpenAI's 401
// quotes part of the key it was sent), an exception's message. Pattern-based, for secrets the
// deployment does not know verbatim; exact secrets are scrubbed by the logger as well. Every
// pattern is linear: no nested or adjacent unbounded quantifiers over the same characters.

const REDACTED = "[redacted]";

const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // OpenAI-style keys, whole or masked ("sk-proj-abc***********wxyz").
  [/\bsk-[A-Za-z0-9_*.-]{3,}/g, REDACTED],
  // ragway keys.
  [/\brgw_[A-Za-z0-9_-]+/g, REDACTED],
  // "Incorrect API key provided: <anything up to whitespace or a quote>".
  [/(api key provided: ?)[^\s"',;]+/gi, `$1${REDACTED}`],
  // Credentials in an Authorization value that was echoed back.
  [/\b(Bearer|Basic) [^\s"'\\]+/gi, `$1 ${REDACTED}`],
];

/**
 * A word every pattern above needs (case aside): text without one is returned as it is, after one
 * scan instead of one per pattern (the request log line is scrubbed on every response).
 */
const NEEDS_A_LOOK = /sk-|rgw_|api key provided|bearer|basic/i;

/** False when `text` cannot match any credential pattern (nothing to scrub). */
export function mayHoldCredential(text: string): boolean {
  return NEEDS_A_LOOK.test(text);
}

/**
 * `text` with anything shaped like a credential replaced by "[redacted]".
 *
 * @example
 * scrubSecrets("Incorrect API key provided: sk-proj-ab***yz"); // "Incorrect API key provided: [redacted]"
 */
export function scrubSecrets(text: string): string {
  if (!mayHoldCredential(text)) return text;
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
