// Answer-cache keys: the normalized question plus everything else that can change the answer,
// hashed. The index version is part of it, so a document write makes every older answer
// unreachable; the scope is part of it (and of the key's prefix), so callers whose answers may
// differ never share an entry, and one scope can be found and purged on its own.
import { sha256Hex, stableStringify } from "../util/hash.js";
import type { MetadataFilter } from "../util/metadata-filter.js";

/** Bumped when the key recipe or the stored answer's shape changes. */
export const ANSWER_KEY_VERSION = 1;

/** Prefix of every answer key in every tier. */
export const ANSWER_KEY_PREFIX = `ans:v${ANSWER_KEY_VERSION}:`;

/**
 * Who may share an entry: `shared` for answers that depend only on the shared index and the
 * request, `principal:<id>` for anything that depends on the caller.
 */
export type CacheScope = "shared" | `principal:${string}`;

/** The scope named by `text`, or null when it is not one. */
export function parseScope(text: string): CacheScope | null {
  if (text === "shared") return "shared";
  if (/^principal:[\w.:@~+-]{1,200}$/.test(text)) return text as CacheScope;
  return null;
}

/**
 * The query as the key sees it: Unicode NFKC, case-folded, whitespace runs collapsed to one
 * space, trimmed. "ＡＰＩ  Keys?" and "api keys?" share a key; "api key?" does not.
 */
export function normalizeQuery(query: string): string {
  // JS has no casefold(); upper- then lower-casing applies the full (multi-character) mappings
  // such as ß -> ss, and the final sigma is folded by hand as Unicode's case folding does.
  const folded = query.normalize("NFKC").toUpperCase().toLowerCase().replace(/ς/g, "σ");
  return folded.normalize("NFKC").replace(/\s+/gu, " ").trim();
}

/** Everything that can change an answer. */
export interface AnswerKeyParts {
  query: string;
  k: number;
  filter?: MetadataFilter;
  /**
   * The requested model: a catalog id, or `auto`, whose choice depends only on the query, the
   * retrieved chunks (fixed by the index version) and the catalog.
   */
  model: string;
  priority: string;
  maxContextTokens?: number;
  retrieval: string;
  embeddingModel: string;
  indexVersion: number;
  scope: CacheScope;
  /**
   * The namespace whose index answered. `default` (or absent) adds nothing to the key, so answers
   * cached before namespaces existed keep their keys.
   */
  namespace?: string;
}

/** Scope prefixes already hashed in this isolate (a pure function of the scope), bounded. */
const prefixes = new Map<CacheScope, string>();
const MAX_PREFIXES = 1024;

/** The key prefix of one scope: `ans:v1:<16 hex>:`. Lists and purges find a scope by it. */
export async function scopePrefix(scope: CacheScope): Promise<string> {
  const known = prefixes.get(scope);
  if (known !== undefined) return known;
  const prefix = `${ANSWER_KEY_PREFIX}${(await sha256Hex(`scope:${scope}`)).slice(0, 16)}:`;
  // A busy isolate sees a few scopes again and again; a flood of new ones just starts over.
  if (prefixes.size >= MAX_PREFIXES) prefixes.clear();
  prefixes.set(scope, prefix);
  return prefix;
}

/** The exact-match key of an answer. */
export async function answerKey(parts: AnswerKeyParts): Promise<string> {
  // A question asked again (every cache hit) arrives with the same parts in the same order:
  // their plain JSON finds the key made last time, without normalizing, sorting or hashing.
  // Equivalent parts in another order miss here and are keyed the long way, to the same key.
  const seen = JSON.stringify(parts);
  const known = keys.get(seen);
  if (known !== undefined) return known;
  const material = stableStringify({ ...rest(parts), q: normalizeQuery(parts.query) });
  const key = `${await scopePrefix(parts.scope)}${await sha256Hex(material)}`;
  if (seen.length <= MAX_REMEMBERED_LENGTH) {
    if (keys.size >= MAX_KEYS) keys.clear();
    keys.set(seen, key);
  }
  return key;
}

/**
 * Keys this isolate made lately, by their parts' plain JSON. Bounded (parts up to 2 KB, 1024 of
 * them, forgotten whole when full), so a flood of long or distinct questions cannot grow it.
 */
const keys = new Map<string, string>();
const MAX_KEYS = 1024;
const MAX_REMEMBERED_LENGTH = 2048;

/**
 * The semantic bucket: every part but the query. Only answers in the same bucket (same index
 * version, scope, filter, model, k...) may stand in for each other.
 */
export async function semanticBucket(parts: Omit<AnswerKeyParts, "query">): Promise<string> {
  return `${await scopePrefix(parts.scope)}sem:${await sha256Hex(stableStringify(rest(parts)))}`;
}

function rest(parts: Omit<AnswerKeyParts, "query">): Record<string, unknown> {
  return {
    v: ANSWER_KEY_VERSION,
    k: parts.k,
    filter: parts.filter ? canonicalFilter(parts.filter) : null,
    model: parts.model,
    priority: parts.priority,
    max_context_tokens: parts.maxContextTokens ?? null,
    retrieval: parts.retrieval,
    embedding_model: parts.embeddingModel,
    index_version: parts.indexVersion,
    scope: parts.scope,
    ...(parts.namespace && parts.namespace !== "default" ? { namespace: parts.namespace } : {}),
  };
}

/** A filter's "any of" lists are sets: order and repeats do not change what matches. */
function canonicalFilter(filter: MetadataFilter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(filter)) {
    out[field] = Array.isArray(value)
      ? [...new Map(value.map((v) => [JSON.stringify(v), v])).entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([, v]) => v)
      : value;
  }
  return out;
}
