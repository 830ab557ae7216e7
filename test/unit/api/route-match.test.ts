import { describe, expect, it } from "vitest";
import { routeMatcher } from "../../../shared/api/route-match.js";
import { ROUTE_TABLE } from "../../../shared/api/route-table.js";

const rows = [
  { method: "GET", path: "/v1/documents" },
  { method: "POST", path: "/v1/documents" },
  { method: "POST", path: "/v1/documents/lookup" },
  { method: "GET", path: "/v1/documents/:id+" },
  { method: "GET", path: "/v1/models/:id" },
  { method: "GET", path: "/openapi.json" },
];
const routes = routeMatcher(rows);

describe("routeMatcher", () => {
  it("matches a static path exactly, trailing slashes aside, with no parameters", () => {
    expect(routes.match("GET", "/v1/documents")).toEqual({ route: rows[0], params: {} });
    expect(routes.match("GET", "/v1/documents//")).toEqual({ route: rows[0], params: {} });
    expect(routes.match("GET", "/openapi.json")).toMatchObject({ route: rows[5] });
    // A dot is a dot, not any character.
    expect(routes.match("GET", "/openapiXjson")).toEqual({ route: null, allowed: [] });
    expect(routes.match("GET", "/V1/documents")).toEqual({ route: null, allowed: [] });
  });

  it("takes one segment for :name and the rest of the path for a last :name+, still encoded", () => {
    expect(routes.match("GET", "/v1/models/gpt-4o-mini/")).toEqual({
      route: rows[4],
      params: { id: "gpt-4o-mini" },
    });
    expect(routes.match("GET", "/v1/models/a/b")).toEqual({ route: null, allowed: [] });
    expect(routes.match("GET", "/v1/documents/guides/a%20b.md")).toEqual({
      route: rows[3],
      params: { id: "guides/a%20b.md" },
    });
    expect(routes.match("GET", "/v1/models/")).toEqual({ route: null, allowed: [] });
  });

  it("tries rows in order and by method: POST lookup is its own route, GET lookup a document id", () => {
    expect(routes.match("POST", "/v1/documents/lookup")).toMatchObject({ route: rows[2] });
    expect(routes.match("GET", "/v1/documents/lookup")).toEqual({
      route: rows[3],
      params: { id: "lookup" },
    });
  });

  it("names the methods a path allows when none matches the request's", () => {
    expect(routes.match("DELETE", "/v1/documents")).toEqual({
      route: null,
      allowed: ["GET", "POST"],
    });
    expect(routes.match("OPTIONS", "/v1/models/x")).toEqual({ route: null, allowed: ["GET"] });
  });

  it("compiles every row of the route table, and refuses a pattern it cannot read", () => {
    expect(() => routeMatcher(ROUTE_TABLE)).not.toThrow();
    expect(() => routeMatcher([{ method: "GET", path: "/a/:rest+/b" }])).toThrow(/last segment/);
    expect(() => routeMatcher([{ method: "GET", path: "/a/x:y" }])).toThrow(/cannot read/);
  });
});
