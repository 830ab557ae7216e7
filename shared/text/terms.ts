// Term extraction for sentence scoring: stemmed content words without stop words; CJK text as
// character bigrams. Consistency between question and sentence matters more than linguistics.
import { ENGLISH_STOP_WORDS } from "./stop-words.js";

const WORD_RE = /[\p{L}\p{M}\p{N}]+/gu;
const CJK_RE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+/gu;

/** Stemmed, stop-word-free terms in order; CJK runs become character bigrams. */
export function contentTerms(text: string): string[] {
  const terms: string[] = [];
  for (const word of text.normalize("NFKC").toLowerCase().match(WORD_RE) ?? []) {
    const latin = word.replace(CJK_RE, " ").trim();
    for (const part of latin ? latin.split(" ") : []) {
      if (!ENGLISH_STOP_WORDS.has(part)) terms.push(stem(part));
    }
    for (const run of word.match(CJK_RE) ?? []) {
      const chars = Array.from(run);
      if (chars.length === 1) terms.push(run);
      for (let i = 0; i + 1 < chars.length; i++) terms.push(`${chars[i]}${chars[i + 1]}`);
    }
  }
  return terms;
}

/** Adjacent term pairs, for the bigram bonus. */
export function pairs(terms: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < terms.length; i++) out.push(`${terms[i]} ${terms[i + 1]}`);
  return out;
}

/** A light English stemmer: plural -s/-ies, -ing, -ed, final -e. Consistency beats accuracy. */
function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("ing") && w.length > 5) w = undouble(w.slice(0, -3));
  else if (w.endsWith("ed") && w.length > 4) w = undouble(w.slice(0, -2));
  else if (w.endsWith("s") && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 3 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

function undouble(w: string): string {
  return /([b-df-hj-kmnp-rtv-y])\1$/.test(w) ? w.slice(0, -1) : w;
}
