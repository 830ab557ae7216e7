import { describe, expect, it } from "vitest";
import {
  checkScope,
  grantsOf,
  newKeyGrants,
  refusalMessage,
  resolveNamespace,
} from "../../../shared/tenancy/grants.js";
import { isNamespaceName } from "../../../shared/tenancy/namespace-name.js";
import { findRoute, routeScopes } from "../../../shared/api/route-table.js";

/** The scopes the route table gives `METHOD pattern`, or null. */
function routeScope(method: string, pattern: string): readonly string[] | null {
  const row = findRoute(method, pattern);
  return row ? routeScopes(row) : null;
}

describe("grants", () => {
  it("give a new key every scope but documents:write, on default", () => {
    expect(newKeyGrants({})).toEqual({
      namespaces: ["default"],
      scopes: ["query", "chat", "embeddings", "documents:read"],
    });
  });

  it("keep the order asked for and drop repeats", () => {
    expect(newKeyGrants({ namespaces: ["b", "a", "b"], scopes: ["query", "query"] })).toEqual({
      namespaces: ["b", "a"],
      scopes: ["query"],
    });
  });

  it("treat a record without grants as a key from before scopes: everything on default", () => {
    expect(grantsOf(null).scopes).toContain("documents:write");
    expect(grantsOf(undefined).namespaces).toEqual(["default"]);
  });

  it("resolve the requested namespace, or the key's first, and refuse others", () => {
    const grants = { namespaces: ["alpha", "beta"], scopes: [] };
    expect(resolveNamespace(grants, undefined)).toEqual({ ok: true, namespace: "alpha" });
    expect(resolveNamespace(grants, "beta")).toEqual({ ok: true, namespace: "beta" });
    const refused = resolveNamespace(grants, "default");
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refusalMessage(refused.refusal)).toBe(
        'this API key has no access to namespace "default"',
      );
    }
  });

  it("name the missing scope", () => {
    const refusal = checkScope({ namespaces: ["default"], scopes: ["query"] }, "documents:write");
    expect(refusal && refusalMessage(refusal)).toBe(
      'this API key lacks the "documents:write" scope',
    );
    expect(checkScope({ namespaces: [], scopes: ["query"] }, "query")).toBeNull();
  });
});

describe("route scopes and namespace names", () => {
  it("require a scope for every route that reads, writes or spends", () => {
    expect(routeScope("POST", "/v1/documents")).toEqual(["documents:write"]);
    expect(routeScope("POST", "/v1/documents/lookup")).toEqual([
      "documents:read",
      "documents:write",
    ]);
    expect(routeScope("DELETE", "/v1/documents/:id+")).toEqual(["documents:write"]);
    expect(routeScope("GET", "/v1/documents/:id+")).toEqual(["documents:read"]);
    expect(routeScope("POST", "/v1/query/batch")).toEqual(["query"]);
    expect(routeScope("GET", "/v1/documents")).toEqual(["documents:read"]);
    expect(routeScope("GET", "/v1/usage")).toBeNull();
    expect(routeScope("POST", "/admin/namespaces")).toEqual(["admin"]);
  });

  it("accept [a-z0-9][a-z0-9_-]{0,62} only", () => {
    expect(isNamespaceName("team-a_1")).toBe(true);
    expect(isNamespaceName("a".repeat(63))).toBe(true);
    expect(isNamespaceName("a".repeat(64))).toBe(false);
    expect(isNamespaceName("-a")).toBe(false);
    expect(isNamespaceName("Team")).toBe(false);
    expect(isNamespaceName("ns:x")).toBe(false);
  });
});
