// Offline embeddings by feature hashing (words + character n-grams -> signed buckets).
// Must be byte-for-byte deterministic across isolates and releases: changing any constant here
// changes every stored vector, so bump the index version with it.
import { ENGLISH_STOP_WORDS } from "../text/stop-words.js";
import { hash32 } from "../util/hash.js";

/** Default vector length; matches `local-hash-embed` in the catalog. */
export const HASH_EMBED_DIMS = 384;

const WORD_WEIGHT = 2;
const NGRAM_WEIGHT = 1;
const CJK_WEIGHT = 1.5;
const NGRAM = 3;

const WORD_RE = /[\p{L}\p{M}\p{N}]+/gu;
// Scripts written without spaces between words: bigrams of characters stand in for words.
const CJK_RUN_RE =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+/gu;
const CJK_TEST_RE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

const INDEX_SEED = 0x811c9dc5; // FNV-1a offset basis
const SIGN_SEED = 0x5bd1e995;

/**
 * Embeds `text` into a fixed-length, L2-normalized vector by feature hashing.
 *
 * Features: words (lowercased, NFKC, stop words dropped unless the text has nothing else),
 * character 3-grams of each word padded with `^`/`$`, and character bigrams of CJK runs. Each
 * feature adds a sublinear tf weight (1 + ln tf) to one bucket with a hash-chosen sign.
 *
 * Text with no letters or digits (including "") yields the zero vector, whose cosine with
 * anything is 0, so it never matches.
 *
 * @example
 * const v = hashEmbed("How do rate limits work?"); // Float32Array(384), |v| = 1
 */
export function hashEmbed(text: string, dims: number = HASH_EMBED_DIMS): Float32Array {
  if (!Number.isInteger(dims) || dims < 1) {
    throw new RangeError(`hashEmbed: dims must be a positive integer, got ${dims}`);
  }
  const vector = new Float32Array(dims);
  const features = extractFeatures(text);
  for (const [feature, entry] of features) {
    const weight = entry.weight * (1 + Math.log(entry.tf));
    const index = hash32(feature, INDEX_SEED) % dims;
    const sign = hash32(feature, SIGN_SEED) & 1 ? 1 : -1;
    vector[index] = (vector[index] ?? 0) + sign * weight;
  }
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    const x = vector[i] ?? 0;
    norm += x * x;
  }
  if (norm === 0) return vector;
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < dims; i++) vector[i] = (vector[i] ?? 0) * inv;
  return vector;
}

interface FeatureEntry {
  tf: number;
  weight: number;
}

function extractFeatures(text: string): Map<string, FeatureEntry> {
  const features = new Map<string, FeatureEntry>();
  const add = (key: string, weight: number): void => {
    const entry = features.get(key);
    if (entry) entry.tf += 1;
    else features.set(key, { tf: 1, weight });
  };

  const words = text.normalize("NFKC").toLowerCase().match(WORD_RE) ?? [];
  const content = words.filter((w) => !ENGLISH_STOP_WORDS.has(w));
  // A query made only of stop words ("what is it") still deserves a non-zero vector.
  for (const word of content.length > 0 ? content : words) {
    for (const run of word.match(CJK_RUN_RE) ?? []) {
      if (CJK_TEST_RE.test(run)) addCjk(run, add);
      else addWord(run, add);
    }
  }
  return features;
}

function addWord(word: string, add: (key: string, weight: number) => void): void {
  add(`w:${word}`, WORD_WEIGHT);
  const chars = Array.from(`^${word}$`);
  for (let i = 0; i + NGRAM <= chars.length; i++) {
    add(`g:${chars.slice(i, i + NGRAM).join("")}`, NGRAM_WEIGHT);
  }
}

function addCjk(run: string, add: (key: string, weight: number) => void): void {
  const chars = Array.from(run);
  if (chars.length === 1) {
    add(`c:${run}`, CJK_WEIGHT);
    return;
  }
  for (let i = 0; i + 2 <= chars.length; i++) {
    add(`c:${chars[i] ?? ""}${chars[i + 1] ?? ""}`, CJK_WEIGHT);
  }
}
