// Turns free text into a safe SQLite FTS5 MATCH expression: quoted terms OR-ed, so user input
// can never be parsed as FTS5 syntax (column filters, NEAR, unbalanced quotes).

const STOP = new Set(
  "a an and are as at be but by can do does for from how i in is it its of on or that the this to was what when where which who why will with you your".split(
    " ",
  ),
);

/** Builds the MATCH string, or null when the text has no searchable terms. */
export function ftsQuery(text: string, maxTerms = 32): string | null {
  const words =
    text
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  const terms: string[] = [];
  for (const word of words) {
    if (STOP.has(word) || terms.includes(word)) continue;
    terms.push(word);
    if (terms.length >= maxTerms) break;
  }
  if (terms.length === 0) {
    const fallback = words.slice(0, maxTerms);
    if (fallback.length === 0) return null;
    return fallback.map((w) => `"${w}"`).join(" OR ");
  }
  return terms.map((w) => `"${w.replaceAll('"', '""')}"`).join(" OR ");
}
