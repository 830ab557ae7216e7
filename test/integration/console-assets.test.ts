// The console's files, served by the Worker itself: each at its path with its type and the
// console's security headers, revalidated by ETag, and never in the way of an API route.
import { describe, expect, it } from "vitest";
import { ROUTE_TABLE } from "../../shared/api/route-table.js";
import { CONSOLE_PATHS } from "../../workers/http/console-assets.js";
import { call } from "./helpers.js";

describe("the console's files", () => {
  it("serves the dashboard at / under a CSP that allows only this origin's scripts", async () => {
    const res = await call("GET", "/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await res.text()).toContain('<script type="module" src="/app.js"');
  });

  it.each([
    ["/api", "text/html"],
    ["/api.html", "text/html"],
    ["/index.html", "text/html"],
    ["/app.js", "text/javascript"],
    ["/console/core.js", "text/javascript"],
    ["/style.css", "text/css"],
  ])("serves %s as %s", async (path, type) => {
    const res = await call("GET", path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(`${type}; charset=utf-8`);
    expect((await res.text()).length).toBeGreaterThan(100);
  });

  it("answers a request that names its ETag with 304 and no body, and a changed one in full", async () => {
    const first = await call("GET", "/app.js");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(first.headers.get("cache-control")).toBe("public, max-age=0, must-revalidate");
    const again = await call("GET", "/app.js", { headers: { "if-none-match": `"x", ${etag}` } });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect(await again.text()).toBe("");
    const changed = await call("GET", "/app.js", { headers: { "if-none-match": '"other"' } });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toBe(await first.text());
    // Each file has its own tag.
    expect((await call("GET", "/style.css")).headers.get("etag")).not.toBe(etag);
  });

  it("answers HEAD with the headers and no body", async () => {
    const res = await call("HEAD", "/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await res.text()).toBe("");
  });

  it("leaves other methods and unknown paths to the router's JSON errors", async () => {
    const post = await call("POST", "/", { body: {} });
    expect(post.status).toBe(404);
    expect((await post.json<{ error: { code: string } }>()).error.code).toBe("not_found");
    const missing = await call("GET", "/console/missing.js");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("application/json");
  });

  it("shadows no API route", () => {
    const patterns = ROUTE_TABLE.map(
      (row) =>
        new RegExp(`^${row.path.replace(/:[a-z]+\+/gi, ".+").replace(/:[a-z]+/gi, "[^/]+")}$`),
    );
    expect(CONSOLE_PATHS).toContain("/");
    for (const path of CONSOLE_PATHS) {
      expect(
        patterns.some((p) => p.test(path)),
        path,
      ).toBe(false);
    }
    // The health route and the reference page's JSON stay the router's.
    expect(CONSOLE_PATHS).not.toContain("/health");
    expect(CONSOLE_PATHS).not.toContain("/openapi.json");
  });
});
