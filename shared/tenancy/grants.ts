// What a key may do, and where: its scopes and its namespaces. A key created before scopes
// existed stores none; it keeps what every key could do then (every scope, on `default`), so an
// upgrade breaks no existing integration. New keys get every scope but `documents:write` unless
// it is granted explicitly: writing changes what everyone using the namespace is told.

/** Everything a key can be allowed to do. */
export const SCOPES = ["query", "chat", "embeddings", "documents:read", "documents:write"] as const;

export type Scope = (typeof SCOPES)[number];

/** The namespace every deployment has, and the one a key gets when none is named. */
export const DEFAULT_NAMESPACE = "default";

/** A key's grants: the namespaces it may use (first = its default) and its scopes. */
export interface Grants {
  namespaces: string[];
  scopes: Scope[];
}

/** Scopes of a new key that names none: everything but writing documents. */
export const DEFAULT_SCOPES: readonly Scope[] = SCOPES.filter((s) => s !== "documents:write");

/** Grants of anonymous callers (development only) and of keys created before grants existed. */
export const FULL_DEFAULT_GRANTS: Grants = {
  namespaces: [DEFAULT_NAMESPACE],
  scopes: [...SCOPES],
};

/** The grants of a new key from what the admin asked for; order kept, duplicates dropped. */
export function newKeyGrants(requested: { namespaces?: string[]; scopes?: Scope[] }): Grants {
  return {
    namespaces: unique(requested.namespaces ?? [DEFAULT_NAMESPACE]),
    scopes: unique(requested.scopes ?? [...DEFAULT_SCOPES]),
  };
}

/** The grants a stored record stands for (legacy records carry none). */
export function grantsOf(stored: Grants | null | undefined): Grants {
  return stored ?? FULL_DEFAULT_GRANTS;
}

/** A refusal by the grants: which scope or namespace is missing. */
export type GrantRefusal =
  | { missing: "scope"; /** The scope, or the alternatives ("a" or "b"). */ scope: string }
  | { missing: "namespace"; namespace: string };

/** Null when `grants` hold `scope` (or, given a list, any one of them), else what is missing. */
export function checkScope(grants: Grants, scope: Scope | readonly Scope[]): GrantRefusal | null {
  const anyOf: readonly Scope[] = typeof scope === "string" ? [scope] : scope;
  if (anyOf.some((s) => grants.scopes.includes(s))) return null;
  return { missing: "scope", scope: anyOf.join('" or "') };
}

/** The namespace a request acts on (the one it names, or the key's first), if the key may. */
export function resolveNamespace(
  grants: Grants,
  requested: string | undefined,
): { ok: true; namespace: string } | { ok: false; refusal: GrantRefusal } {
  const namespace = requested ?? grants.namespaces[0] ?? DEFAULT_NAMESPACE;
  if (grants.namespaces.includes(namespace)) return { ok: true, namespace };
  return { ok: false, refusal: { missing: "namespace", namespace } };
}

/** The message a 403 carries: names what is missing. */
export function refusalMessage(refusal: GrantRefusal): string {
  return refusal.missing === "scope"
    ? `this API key lacks the "${refusal.scope}" scope`
    : `this API key has no access to namespace "${refusal.namespace}"`;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
