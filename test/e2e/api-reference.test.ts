// The API description as served by `wrangler dev`: valid OpenAPI 3.1 by a maintained validator,
// and the reference page (public/api.html) rendering every operation of it in a real browser
// (Debian's headless Chromium, no CDN).
import { Validator } from "@seriousme/openapi-schema-validator";
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, launchBrowser } from "../support/browser.js";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.js";

let dev: WranglerDev;

beforeAll(async () => {
  dev = await startWranglerDev();
});
afterAll(async () => {
  await dev?.stop();
});

interface OpenApi {
  paths: Record<string, Record<string, { operationId: string }>>;
  components: { schemas: Record<string, unknown> };
}

/** The DOM after the page's scripts ran, from headless Chromium at `chromium`. */
function renderedDom(chromium: string, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      chromium,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--virtual-time-budget=10000",
        "--dump-dom",
        url,
      ],
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => (error ? reject(new Error(error.message)) : resolve(stdout)),
    );
  });
}

describe("the served API description", () => {
  it("is linked from the dashboard", async () => {
    const html = await (await fetch(`${dev.url}/`)).text();
    expect(html).toMatch(/<a href="\/api">API<\/a>/);
  });

  it("validates as OpenAPI 3.1", async () => {
    const res = await fetch(`${dev.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const doc = await res.json<Record<string, unknown>>();
    const result = await new Validator().validate(doc);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: dev.url }]);
  });

  // In a browser: skipped with a line saying what to install when Chromium is missing (outside CI).
  it.runIf(chromiumPath)(
    "is rendered by the API reference page, every operation and schema",
    async () => {
      const doc = await (await fetch(`${dev.url}/openapi.json`)).json<OpenApi>();
      const dom = await renderedDom(chromiumPath ?? "chromium", `${dev.url}/api`);
      expect(dom).toMatch(/<p id="error" hidden=""/);
      const sections = [...dom.matchAll(/<section class="op" id="(op-[^"]+)"/g)].map((m) => m[1]);
      const operations = Object.values(doc.paths).flatMap((item) => Object.keys(item));
      expect(sections).toHaveLength(operations.length);
      expect(dom).toContain('id="op-post-v1-query"');
      expect(dom).toContain('id="op-get-v1-documents-id"');
      for (const name of Object.keys(doc.components.schemas)) {
        expect(dom).toContain(`id="schema-${name}"`);
      }
      // Served under the dashboard's Content-Security-Policy, which allows no inline code.
      const page = await fetch(`${dev.url}/api`);
      expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
      // Field tables come from the request schemas, constraints included.
      expect(dom).toMatch(/documents\[\]\.text<span class="req">required<\/span>/);
      // Only the bounds a schema declares: "> 0, ≤ 8192", never the safe-integer range.
      expect(dom).toContain("&gt; 0, ≤ 8192");
      expect(dom).not.toContain("9007199254740991");
    },
  );

  it.runIf(chromiumPath)(
    "reads as text once loaded: no `[object …]` and no literal `null` anywhere on the page",
    async () => {
      const browser = await launchBrowser();
      try {
        const page = await browser.context.newPage();
        const errors: string[] = [];
        page.on("pageerror", (err) => errors.push(err.message));
        await page.goto(`${dev.url}/api`, { waitUntil: "load" });
        // Loaded: the lead no longer says "Loading" and every operation section is there.
        await page.waitForSelector("#op-post-v1-query");
        const lead = await page.locator("#lead").innerText();
        expect(lead).not.toContain("Loading");
        expect(lead).toContain("Version ");
        const text = await page.locator("body").innerText();
        expect(text).not.toContain("[object");
        // "null" may only be a type (a type cell's `string | null`) or quoted code, never prose.
        const prose = await page.evaluate(
          `(() => {
          const copy = document.body.cloneNode(true);
          copy.querySelectorAll("td.type, code").forEach((n) => n.remove());
          return copy.textContent;
        })()`,
        );
        expect(typeof prose === "string" && prose.length > 1000).toBe(true);
        expect(prose).not.toMatch(/\bnull\b/);
        // The introduction's `code` spans are elements, not their string form.
        expect(await page.locator("#lead code").count()).toBeGreaterThan(0);
        // Each request body heading is followed by its content, never by a stray "null".
        const bodies = await page.locator("h3", { hasText: "Request body" }).count();
        expect(bodies).toBeGreaterThan(5);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});
