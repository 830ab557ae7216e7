// Finds a request's row in the route table, once per request: the rows are tried in the table's
// order, a static path by string comparison, a pattern by a regular expression built once. A
// pattern's `:name` takes one path segment and a last `:name+` the rest of the path; parameters are
// handed over as they appear in the path (percent-encoded), and trailing slashes are ignored.

/** What a route needs to be matched. */
export interface MatchableRoute {
  method: string;
  path: string;
}

/** The row that serves a request, or the methods its path allows when none does. */
export type RouteMatch<R> =
  { route: R; params: Record<string, string> } | { route: null; allowed: string[] };

/** Matches requests against `routes`. */
export interface RouteMatcher<R> {
  match(method: string, pathname: string): RouteMatch<R>;
}

interface Compiled<R> {
  row: R;
  /** The path without trailing slashes, for a static row; null for a pattern. */
  literal: string | null;
  pattern: RegExp | null;
}

const NO_PARAMS: Record<string, string> = Object.freeze({});

/**
 * Compiles `routes` (throws on a pattern it cannot read).
 *
 * @example
 * const routes = routeMatcher([{ method: "GET", path: "/v1/models/:id" }]);
 * routes.match("GET", "/v1/models/gpt-4o-mini/"); // { route, params: { id: "gpt-4o-mini" } }
 * routes.match("POST", "/v1/models/x"); // { route: null, allowed: ["GET"] }
 */
export function routeMatcher<R extends MatchableRoute>(routes: readonly R[]): RouteMatcher<R> {
  const compiled: Compiled<R>[] = routes.map((row) =>
    row.path.includes(":")
      ? { row, literal: null, pattern: compilePattern(row.path) }
      : { row, literal: withoutTrailingSlashes(row.path), pattern: null },
  );
  const hit = (c: Compiled<R>, path: string, trimmed: string): Record<string, string> | null => {
    if (c.literal !== null) return c.literal === trimmed ? NO_PARAMS : null;
    const found = c.pattern?.exec(path);
    return found ? { ...found.groups } : null;
  };
  return {
    match(method, pathname) {
      const trimmed = withoutTrailingSlashes(pathname);
      for (const c of compiled) {
        if (c.row.method !== method) continue;
        const params = hit(c, pathname, trimmed);
        if (params) return { route: c.row, params };
      }
      const allowed = compiled.filter((c) => hit(c, pathname, trimmed)).map((c) => c.row.method);
      return { route: null, allowed: [...new Set(allowed)] };
    },
  };
}

function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 47 /* "/" */) end--;
  return end === path.length ? path : path.slice(0, end);
}

/** `/a/:id` -> /^\/a\/(?<id>[^/]+)\/*$/; a last `:rest+` takes everything after its slash. */
function compilePattern(path: string): RegExp {
  const segments = path.split("/").slice(1);
  const source = segments.map((segment, i) => {
    const param = /^:(\w+)(\+?)$/.exec(segment);
    if (!param) {
      if (segment.includes(":")) throw new Error(`route ${path}: cannot read segment ${segment}`);
      return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
    }
    const [, name, rest] = param;
    if (rest && i !== segments.length - 1) {
      throw new Error(`route ${path}: only the last segment can take the rest of the path`);
    }
    return rest ? `/(?<${name}>.+)` : `/(?<${name}>[^/]+)`;
  });
  return new RegExp(`^${source.join("")}/*$`, "s");
}
