// The English stop-word list shared by the offline embedder and the extractive answerer, so both
// sides agree on what carries no meaning. Changing it changes every hash embedding (see
// llm/hash-embedding): bump the index version with it.

/** A small English stop-word list (function words and question words). */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a an and are as at be been being but by can could did do does doing for from had has have " +
    "how i if in into is it its me my of on or our should so than that the their them then there " +
    "these they this those to was we were what when where which while who whom why will with " +
    "would you your about also just not no any all"
  ).split(" "),
);
