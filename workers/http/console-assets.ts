// The console and the API reference page (public/), bundled into the Worker as text
// (wrangler.toml's rules) and served here, before the router. An API request therefore reaches the
// Worker with no static-asset routing in front of it, and the route table is the only one: a
// console path that shadows a route fails a test (test/integration/console-assets.test.ts).
// Every page and script is served under a Content-Security-Policy that allows only this origin's
// own scripts, styles and API, and revalidated with its ETag (a 304 when unchanged).
import apiCss from "../../public/api.css";
import apiHtml from "../../public/api.html";
import apiJs from "../../public/api.js";
import appJs from "../../public/app.js";
import chartJs from "../../public/console/chart.js";
import coreJs from "../../public/console/core.js";
import documentsJs from "../../public/console/documents.js";
import keysJs from "../../public/console/keys.js";
import logJs from "../../public/console/log.js";
import markdownJs from "../../public/console/markdown.js";
import namespacesJs from "../../public/console/namespaces.js";
import playgroundJs from "../../public/console/playground.js";
import usageJs from "../../public/console/usage.js";
import indexHtml from "../../public/index.html";
import styleCss from "../../public/style.css";

const HTML = "text/html; charset=utf-8";
const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";

/** Every console file by the path it is served at (the pages also without `.html`). */
const FILES = new Map<string, readonly [body: string, type: string]>(
  Object.entries({
    "/": [indexHtml, HTML],
    "/index.html": [indexHtml, HTML],
    "/api": [apiHtml, HTML],
    "/api.html": [apiHtml, HTML],
    "/api.css": [apiCss, CSS],
    "/api.js": [apiJs, JS],
    "/app.js": [appJs, JS],
    "/style.css": [styleCss, CSS],
    "/console/chart.js": [chartJs, JS],
    "/console/core.js": [coreJs, JS],
    "/console/documents.js": [documentsJs, JS],
    "/console/keys.js": [keysJs, JS],
    "/console/log.js": [logJs, JS],
    "/console/markdown.js": [markdownJs, JS],
    "/console/namespaces.js": [namespacesJs, JS],
    "/console/playground.js": [playgroundJs, JS],
    "/console/usage.js": [usageJs, JS],
  } satisfies Record<string, readonly [string, string]>),
);

/** The paths the console is served at. */
export const CONSOLE_PATHS: readonly string[] = [...FILES.keys()];

/** The pages load only their own scripts and stylesheets and talk only to this origin. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  // Cached, but asked again each time: an unchanged file is a 304 and a deploy shows at once.
  "cache-control": "public, max-age=0, must-revalidate",
};

const etags = new Map<string, string>();

/** A strong ETag of `body`: FNV-1a over its UTF-16 code units, computed once per isolate. */
function etagOf(body: string): string {
  let tag = etags.get(body);
  if (tag) return tag;
  let h = 0x811c9dc5;
  for (let i = 0; i < body.length; i++) h = Math.imul(h ^ body.charCodeAt(i), 0x01000193);
  tag = `"${(h >>> 0).toString(16)}-${body.length.toString(16)}"`;
  etags.set(body, tag);
  return tag;
}

/** Whether an If-None-Match header names `etag` (or is `*`). */
function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(",")
    .some((t) => t.trim() === "*" || t.trim().replace(/^W\//, "") === etag);
}

/**
 * The console file a GET or HEAD request asks for, or null when it asks for anything else (then
 * the router answers it).
 */
export function consoleAsset(request: Request): Response | null {
  if (request.method !== "GET" && request.method !== "HEAD") return null;
  const file = FILES.get(new URL(request.url).pathname);
  if (!file) return null;
  const [body, type] = file;
  const etag = etagOf(body);
  const headers = { ...SECURITY_HEADERS, etag };
  if (matches(request.headers.get("if-none-match"), etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(request.method === "HEAD" ? null : body, {
    headers: { ...headers, "content-type": type },
  });
}
