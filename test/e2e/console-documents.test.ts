// The console's Documents page in a real browser against wrangler dev: upload a markdown file and
// an HTML file (the HTML reduced to text in the browser), find them by id prefix in
// GET /v1/documents, open one whose id contains "/", delete it; the page at desktop and phone
// width without "[object", a rendered null, console errors or horizontal overflow.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { chromiumPath, launchBrowser, type Browser } from "../support/browser.js";
import {
  collectConsoleErrors,
  horizontalOverflow,
  visibleTextProblems,
} from "../support/console-checks.js";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.js";

const ADMIN_TOKEN = "e2e-documents-admin-3c9e1f7a";

describe.runIf(chromiumPath)("the console's Documents page", () => {
  let dev: WranglerDev;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  const ids = async (): Promise<string[]> =>
    (await page.locator("#docs-table tbody tr[data-index] td:first-child").allTextContents()).map(
      (t) => t.trim(),
    );

  beforeAll(async () => {
    dev = await startWranglerDev({ vars: { ADMIN_TOKEN } });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    errors = collectConsoleErrors(page);
    page.on("dialog", (d) => void d.accept());
    // The sample corpus is seeded on first use of an empty index (here the admin stats), and
    // only then: an index that already holds a document is never seeded.
    const stats = await fetch(`${dev.url}/v1/stats`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(stats.status).toBe(200);
    // A document whose id holds "/", as the ingest CLI makes them.
    const res = await fetch(`${dev.url}/v1/documents`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        documents: [
          {
            id: "guides/setup/install.md",
            title: "Installing",
            text: "# Installing\n\nRun npm install, then npm run dev.",
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });

  it("lists the indexed documents, the seeded corpus included", async () => {
    await page.goto(`${dev.url}/#documents`);
    await page.locator("#docs-table tbody tr[data-index]").first().waitFor();
    expect(await ids()).toContain("guides/setup/install.md");
    expect((await ids()).length).toBeGreaterThan(1);
  });

  it("uploads a markdown and an HTML file as documents, the HTML as its text", async () => {
    await page.setInputFiles("#docs-file", [
      {
        name: "upload-notes.md",
        mimeType: "text/markdown",
        buffer: Buffer.from("# Upload notes\n\nThe console uploads **files** as documents."),
      },
      {
        name: "upload-page.html",
        mimeType: "text/html",
        buffer: Buffer.from(
          "<html><head><title>Upload page</title><style>p{}</style></head><body><h1>Hello</h1><p>From an HTML file.</p><script>1</script></body></html>",
        ),
      },
    ]);
    await page.locator("#docs-status", { hasText: "Indexed 2 documents" }).waitFor();
    const html = await fetch(`${dev.url}/v1/documents/upload-page.html`);
    const doc = await html.json<{ title: string; text: string }>();
    expect(doc.title).toBe("Upload page");
    expect(doc.text).toContain("From an HTML file.");
    expect(doc.text).not.toMatch(/<p>|<script>|p\{\}/);
  });

  it("searches by id prefix", async () => {
    await page.fill("#docs-prefix", "upload-");
    await Promise.all([
      page.waitForResponse((r) => r.url().includes("prefix=upload-")),
      page.click("#docs-search button[type=submit]"),
    ]);
    await page.waitForTimeout(100);
    expect((await ids()).sort()).toEqual(["upload-notes.md", "upload-page.html"]);
  });

  it("opens a document whose id contains '/', shows its text, and deletes it", async () => {
    await page.fill("#docs-prefix", "guides/");
    await Promise.all([
      page.waitForResponse((r) => r.url().includes("prefix=guides")),
      page.click("#docs-search button[type=submit]"),
    ]);
    await page.locator("#docs-table tbody tr[data-index]", { hasText: "install.md" }).click();
    await page.locator("#doc-detail-text", { hasText: "npm run dev" }).waitFor();
    expect(await page.locator("#doc-detail-meta").textContent()).toContain(
      "guides/setup/install.md",
    );
    await page.click("#doc-delete");
    await page.locator("#docs-status", { hasText: "Deleted guides/setup/install.md" }).waitFor();
    expect(await ids()).not.toContain("guides/setup/install.md");
    const gone = await fetch(`${dev.url}/v1/documents/guides/setup/install.md`);
    expect(gone.status).toBe(404);
  });

  it("renders without '[object', 'null' or horizontal overflow at desktop and phone width", async () => {
    await page.fill("#docs-prefix", "");
    await Promise.all([
      page.waitForResponse((r) => r.url().includes("/v1/documents?")),
      page.click("#docs-search button[type=submit]"),
    ]);
    await page.locator("#docs-table tbody tr[data-index]").first().waitFor();
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 844 });
      await page.waitForTimeout(150);
      expect(await visibleTextProblems(page), `documents at ${width}px`).toEqual([]);
      expect(await horizontalOverflow(page), `documents at ${width}px`).toBe(0);
    }
  });

  it("ran without script errors or failed requests", () => {
    expect(errors).toEqual([]);
  });
});
