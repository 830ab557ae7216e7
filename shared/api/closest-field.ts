// "Did you mean" for request fields: the known field an unknown one most likely stands for. Pure,
// so request validation in the Worker and its tests share one definition.

/**
 * The known field closest to `unknown`, or undefined when none is plausibly meant. A known field
 * that is one of the unknown one's `_`-separated words wins (`top_k` -> `k`); otherwise the
 * smallest edit distance, case-insensitive, if it is at most half the longer name (at least 2),
 * or a shared prefix of three or more characters (`question` -> `query`).
 *
 * @example closestField("temprature", ["model", "temperature"]); // "temperature"
 */
export function closestField(unknown: string, known: readonly string[]): string | undefined {
  const wanted = unknown.toLowerCase();
  const words = new Set(wanted.split(/[_\-.]+/).filter((w) => w.length > 0));
  let best: { field: string; score: number } | undefined;
  for (const field of known) {
    const candidate = field.toLowerCase();
    if (candidate === wanted) return field;
    const distance = editDistance(wanted, candidate);
    const prefix = sharedPrefix(wanted, candidate);
    const plausible =
      words.has(candidate) ||
      distance <= Math.max(2, Math.floor(Math.max(wanted.length, candidate.length) / 2)) ||
      prefix >= 3;
    if (!plausible) continue;
    // Lower is better: a whole-word match first, then edit distance less the shared prefix.
    const score = (words.has(candidate) ? -100 : 0) + distance - prefix;
    if (!best || score < best.score) best = { field, score };
  }
  return best?.field;
}

function sharedPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Levenshtein distance (insert, delete, substitute), two rows of memory. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitute);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
