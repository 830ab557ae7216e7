// Token counting with a linear bound on cost. BPE over one long unbroken run is quadratic (100k
// chars of "aaaa..." takes ~25 s, a 300 kB base64 blob minutes): a client could pin a CPU with
// one message. Runs of 256+ non-space characters are counted in 128-char slices instead.
import type { TokenCounter } from "./count.js";

// Runs of RUN or more non-whitespace characters are counted in slices of SLICE characters.
const RUN = 256;
const LONG_RUN = new RegExp(`\\S{${RUN},}`, "g");
const SLICE = 128;

/**
 * Tokens in `text`: exact for ordinary text; for runs of 256+ non-whitespace characters, the sum
 * of their 128-character slices, which can overcount by about one token per slice (merges across
 * a cut are lost) and never undercounts by more than that. Linear in the text's length.
 *
 * @example
 * countBounded("hello world", counter); // same as counter.count
 * countBounded("A".repeat(1_000_000), counter); // fast, close to exact
 */
export function countBounded(text: string, counter: TokenCounter): number {
  if (!hasLongRun(text)) return counter.count(text);
  let total = 0;
  let last = 0;
  for (const match of text.matchAll(LONG_RUN)) {
    total += counter.count(text.slice(last, match.index));
    const run = match[0];
    for (let i = 0; i < run.length; i += SLICE) total += counter.count(run.slice(i, i + SLICE));
    last = match.index + run.length;
  }
  return total + counter.count(text.slice(last));
}

/**
 * Whether `text` holds RUN or more non-whitespace characters in a row, as `/\S{256}/` would say,
 * in a small fraction of the regex's time (the regex tries a match at every position, which cost
 * about a sixth of counting the text itself). Any RUN characters in a row include exactly one of
 * every RUN-th character, so only the runs through those are measured.
 */
export function hasLongRun(text: string): boolean {
  for (let at = RUN - 1; at < text.length; at += RUN) {
    if (isSpace(text.charCodeAt(at))) continue;
    let start = at;
    while (start > 0 && !isSpace(text.charCodeAt(start - 1))) start--;
    let end = at + 1;
    while (end < text.length && end - start < RUN && !isSpace(text.charCodeAt(end))) end++;
    if (end - start >= RUN) return true;
  }
  return false;
}

/** Whether a UTF-16 code unit is whitespace to `\s` (WhiteSpace and LineTerminator, ECMA-262). */
function isSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}
