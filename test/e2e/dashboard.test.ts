// The dashboard in a real browser (Debian's chromium via playwright-core) against wrangler dev:
// ask a question and see the answer with its sources, connect with the admin token and see the
// operations charts render numbers; screenshots at desktop and phone widths in test/artifacts/.
import { mkdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { chromiumPath, launchBrowser, type Browser } from "../support/browser.js";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.js";

const ADMIN_TOKEN = "e2e-dashboard-admin-7d3f9a1b";
const ARTIFACTS = "test/artifacts";

describe.runIf(chromiumPath)("the dashboard in a browser", () => {
  let dev: WranglerDev;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    dev = await startWranglerDev({ vars: { ADMIN_TOKEN }, logLevel: "log" });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on("pageerror", (err) => pageErrors.push(err.message));
    page.on("console", (msg) => {
      if (msg.type() === "error") pageErrors.push(msg.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });

  it("serves an accessible page with labelled controls and landmarks", async () => {
    const started = Date.now();
    const res = await page.goto(`${dev.url}/`, { waitUntil: "load" });
    console.log(`dashboard loaded in ${Date.now() - started} ms`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()["content-security-policy"]).toContain("default-src 'self'");
    expect(await page.title()).toContain("ragway");
    const warm = Date.now();
    await page.reload({ waitUntil: "load" });
    console.log(`dashboard reloaded (warm) in ${Date.now() - warm} ms`);
    // Browser-side expressions are strings: this file is type-checked without the DOM library.
    const unlabelled = await page.evaluate(
      `[...document.querySelectorAll("input, select, textarea")]
        .filter((el) => el.labels.length === 0).map((el) => el.id)`,
    );
    expect(unlabelled).toEqual([]);
    for (const landmark of ["header", "nav", "main", "footer"]) {
      expect(await page.locator(landmark).count()).toBe(1);
    }
  });

  it("asks a question and shows the answer, its sources, model, cache, tokens, cost and latency", async () => {
    await page.fill("#question", "How does ragway keep per-user rate limits exact?");
    await page.fill("#k", "3");
    await page.selectOption("#priority", "speed");
    await page.uncheck("#use-cache");
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith("/v1/query") && r.method() === "POST"),
      page.click("#ask"),
    ]);
    expect(JSON.parse(request.postData() ?? "{}")).toEqual({
      query: "How does ragway keep per-user rate limits exact?",
      k: 3,
      priority: "speed",
      use_cache: false,
    });
    await page.locator("#sources li").first().waitFor();
    expect(await page.locator("#sources li").count()).toBe(3);
    expect(await page.locator("#source-1 .source-title").textContent()).toBe(
      "Rate limits and budgets",
    );
    expect(await page.locator("#answer").textContent()).toMatch(/\[1\]/);
    expect(await page.locator("#answer a.cite").count()).toBeGreaterThan(0);
    expect(await page.locator("#meta-model").textContent()).toBe("local-extractive");
    expect(await page.locator("#meta-cache").textContent()).toMatch(/^(MISS|BYPASS|HIT)/);
    expect(await page.locator("#meta-tokens").textContent()).toMatch(/^[\d,]+ in · [\d,]+ out$/);
    expect(await page.locator("#meta-cost").textContent()).toMatch(/^\$/);
    expect(await page.locator("#meta-latency").textContent()).toMatch(/\d+ ms/);
  });

  it("connects with the admin token (kept in sessionStorage only) and renders live charts with numbers", async () => {
    await page.fill("#admin-token", ADMIN_TOKEN);
    await page.click("#token-form button[type=submit]");
    await page.locator("#tiles li").first().waitFor();
    const storage = await page.evaluate(`({
      session: sessionStorage.getItem("ragway.adminToken"),
      local: Object.keys(localStorage).length,
      cookies: document.cookie,
    })`);
    expect(storage).toEqual({ session: ADMIN_TOKEN, local: 0, cookies: "" });
    const requests = page.locator('[data-tile="requests"] .tile-value');
    expect(await requests.textContent()).toMatch(/^[1-9][\d,]*$/);
    expect(await page.locator('[data-tile="index"] .tile-value').textContent()).toMatch(/^[1-9]/);
    // Traffic between two samples (5 s apart) becomes chart points.
    for (let i = 0; i < 3; i++) {
      await page.click("#ask");
      await page.waitForTimeout(300);
    }
    // Two points make a line: wait for the next sample (the page polls every 5 s).
    await page.locator("#chart-rate svg polyline").first().waitFor({ timeout: 30_000 });
    expect(await page.locator("#chart-latency svg circle").count()).toBeGreaterThan(0);
    for (const id of [
      "chart-rate",
      "chart-latency",
      "chart-cache",
      "chart-spend",
      "chart-limits",
    ]) {
      expect(await page.locator(`#${id} svg`).count()).toBe(1);
      expect(await page.locator(`#${id} .chart-latest`).textContent()).toMatch(/\d|—/);
    }
    expect(await page.locator("#chart-rate .chart-latest").textContent()).toMatch(/\d/);
    expect(await page.locator("#chart-latency .chart-latest").textContent()).toMatch(
      /p50 [\d.]+ ms/,
    );
    expect(await page.locator("#models tbody tr").first().textContent()).toContain(
      "local-extractive",
    );
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-desktop.png`, fullPage: true });
  });

  it("fits a phone's width without horizontal scrolling", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(200);
    const overflow = await page.evaluate(
      "document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-phone.png`, fullPage: true });
  });

  it("ran without script errors or blocked resources", () => {
    expect(pageErrors).toEqual([]);
  });

  it("never prints the admin token in the gateway's logs", () => {
    expect(dev.output()).not.toContain(ADMIN_TOKEN);
    expect(dev.output()).toMatch(/"event":"request"/);
  });
});
