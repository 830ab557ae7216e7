// The console in a real browser (Debian's chromium via playwright-core) against wrangler dev,
// after real traffic: the request log with its filters and detail, keys (create with the secret
// shown once, revoke), usage tiles and charts over a picked range, the playground's ranked
// sources, a namespace picked in the playground and each namespace's counts, and a walk of every page at desktop and phone width that fails on "[object", a
// literal "null", console errors or horizontal overflow. The Documents page has its own file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { chromiumPath, launchBrowser, type Browser } from "../support/browser.js";
import {
  collectConsoleErrors,
  horizontalOverflow,
  visibleTextProblems,
} from "../support/console-checks.js";
import { sendConsoleTraffic, type ConsoleTraffic } from "../support/console-traffic.js";
import { createApiKey } from "../support/api-key.js";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.js";

const ADMIN_TOKEN = "e2e-dashboard-admin-7d3f9a1b";

describe.runIf(chromiumPath)("the console in a browser", () => {
  let dev: WranglerDev;
  let browser: Browser;
  let page: Page;
  let traffic: ConsoleTraffic;
  let errors: string[];

  const open = async (hash: string, ready: string): Promise<void> => {
    await page.goto(`${dev.url}/${hash}`);
    await page.locator(ready).first().waitFor();
  };
  const texts = async (selector: string): Promise<string[]> =>
    (await page.locator(selector).allTextContents()).map((t) => t.trim());

  beforeAll(async () => {
    dev = await startWranglerDev({ vars: { ADMIN_TOKEN }, logLevel: "log" });
    traffic = await sendConsoleTraffic(dev.url, ADMIN_TOKEN);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    errors = collectConsoleErrors(page);
    page.on("dialog", (d) => void d.accept());
  });

  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });

  it("serves the console under a strict CSP, with labelled controls and landmarks", async () => {
    const res = await page.goto(`${dev.url}/`, { waitUntil: "load" });
    expect(res?.status()).toBe(200);
    const csp = res?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(await page.title()).toContain("ragway");
    const unlabelled = await page.evaluate(
      `[...document.querySelectorAll("input, select, textarea")]
        .filter((el) => el.labels.length === 0).map((el) => el.id)`,
    );
    expect(unlabelled).toEqual([]);
    for (const landmark of ["header", "nav", "main"]) {
      expect(await page.locator(landmark).count()).toBe(1);
    }
    // Without the admin token the log asks for it instead of failing.
    expect(await page.locator("#need-token").isVisible()).toBe(true);
  });

  it("connects with the admin token, kept in sessionStorage only", async () => {
    await page.click("#need-token-open");
    await page.fill("#admin-token", ADMIN_TOKEN);
    await page.click("#connect");
    await page.locator("#log-table tbody tr[data-index]").first().waitFor();
    const storage = await page.evaluate(`({
      session: sessionStorage.getItem("ragway.adminToken"),
      local: Object.keys(localStorage).length,
      cookies: document.cookie,
    })`);
    expect(storage).toEqual({ session: ADMIN_TOKEN, local: 0, cookies: "" });
  });

  it("lists the requests with status, route, key name, model, cache, tokens and latency", async () => {
    await open("#log", "#log-table tbody tr[data-index]");
    const rows = page.locator("#log-table tbody tr[data-index]");
    expect(await rows.count()).toBeGreaterThanOrEqual(traffic.answered.length + 3);
    const all = (await rows.allTextContents()).join("\n");
    for (const name of ["mobile-app", "nightly-batch", "trial-user"]) expect(all).toContain(name);
    expect(all).toContain("local-extractive");
    expect(all).toMatch(/MISS/);
    expect(all).toMatch(/HIT-/);
    expect(await texts("#log-table tbody tr[data-index] td:nth-child(2)")).toEqual(
      expect.arrayContaining(["200", "429", "400", "404"]),
    );
    // Nobody measured the overhead on this branch of the gateway: a dash, not 0 or "null".
    const overhead = await texts("#log-table tbody tr[data-index] td:nth-child(10)");
    expect(overhead.every((t) => t === "–" || /ms$/.test(t))).toBe(true);
  });

  it("filters by status, route and key", async () => {
    await Promise.all([
      page.waitForResponse(
        (r) => r.url().includes("/admin/requests?") && r.url().includes("status=4xx"),
      ),
      page.selectOption("#log-status-filter", "4xx"),
    ]);
    await page.waitForTimeout(100);
    const statuses = await texts("#log-table tbody tr[data-index] td:nth-child(2)");
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    expect(statuses.every((s) => /^4\d\d$/.test(s))).toBe(true);

    await page.selectOption("#log-status-filter", "");
    await Promise.all([
      page.waitForResponse((r) => r.url().includes("route=%2Fv1%2Fmodels")),
      page.selectOption("#log-route-filter", "/v1/models"),
    ]);
    await page.waitForTimeout(100);
    const routes = await texts("#log-table tbody tr[data-index] td:nth-child(3)");
    expect(routes).toEqual(["GET /v1/models"]);

    await page.selectOption("#log-route-filter", "");
    await Promise.all([
      page.waitForResponse((r) => r.url().includes(`key=${traffic.keys.tight.id}`)),
      page.selectOption("#log-key-filter", { label: "trial-user" }),
    ]);
    await page.waitForTimeout(100);
    const keys = await texts("#log-table tbody tr[data-index] td:nth-child(4)");
    expect(keys).toHaveLength(3);
    expect(new Set(keys)).toEqual(new Set(["trial-user"]));
    await Promise.all([
      page.waitForResponse(
        (r) => r.url().includes("/admin/requests?") && !r.url().includes("key="),
      ),
      page.selectOption("#log-key-filter", ""),
    ]);
  });

  it("opens a request's detail, without its question (LOG_QUERIES is off)", async () => {
    await page.locator("#log-table tbody tr[data-index]", { hasText: "MISS" }).first().click();
    const detail = page.locator("#log-detail");
    await detail.waitFor();
    const text = (await detail.textContent()) ?? "";
    expect(text).toMatch(/req_[\w-]+/);
    expect(text).toContain("local-extractive");
    expect(text).toContain("not recorded (LOG_QUERIES=false)");
    expect(text).not.toContain("rate limits exact");
    await page.click("#log-detail [data-close]");
    expect(await detail.isVisible()).toBe(false);
  });

  it("creates a key, shows its secret once with a copy button, lists its limits and revokes it", async () => {
    await open("#keys", "#keys-table tbody tr");
    const listed = await texts("#keys-table tbody tr td:first-child .strong");
    expect(listed).toEqual(expect.arrayContaining(["mobile-app", "nightly-batch", "trial-user"]));
    const trial = page.locator("#keys-table tbody tr", { hasText: "trial-user" });
    expect(await trial.locator("td:nth-child(3)").textContent()).toMatch(/^\d+ \/ 2$/);

    await page.fill("#key-name", "browser-made");
    await page.fill("#key-rpm", "30");
    await page.fill("#key-daily", "1.5");
    await page.click("#key-create");
    await page.locator("#key-secret").waitFor();
    const secret = (await page.locator("#key-secret-value").textContent()) ?? "";
    expect(secret).toMatch(/^rgw_[0-9a-f]{24}_[0-9A-Za-z]{49}$/);
    await page.click("#key-copy");
    // The label changes once the clipboard call settles: wait for it rather than race it.
    await page.locator("#key-copy", { hasText: /^(Copied|Press Ctrl\+C)$/ }).waitFor();
    const made = page.locator("#keys-table tbody tr", { hasText: "browser-made" });
    await made.waitFor();
    expect(await made.locator("td:nth-child(3)").textContent()).toBe("0 / 30");
    expect(await made.textContent()).toContain("of $1.50");
    // The secret is gone after a reload: it was shown once.
    await page.reload();
    await page.locator("#keys-table tbody tr").first().waitFor();
    expect(await page.locator("#key-secret").isVisible()).toBe(false);
    expect((await page.content()).includes(secret)).toBe(false);

    await page
      .locator("#keys-table tbody tr", { hasText: "browser-made" })
      .getByText("Revoke")
      .click();
    await page
      .locator("#keys-table tbody tr", { hasText: "browser-made" })
      .locator(".badge", { hasText: "revoked" })
      .waitFor();
    const res = await fetch(`${dev.url}/v1/models`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(res.status).toBe(401);
  });

  it("draws usage tiles without holes and charts over the picked time range", async () => {
    await open("#usage", "#tiles li");
    expect(await page.locator("#tiles li").count()).toBe(12);
    expect(await page.locator('[data-tile="requests"] .tile-value').textContent()).toMatch(
      /^[1-9]/,
    );
    for (const width of [390, 600, 800, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      // The last tile ends where the grid ends: the last row is full.
      const gap = await page.evaluate(`(() => {
        const grid = document.getElementById("tiles").getBoundingClientRect();
        const last = document.querySelector("#tiles li:last-child").getBoundingClientRect();
        return Math.abs(grid.right - 1 - last.right);
      })()`);
      expect(gap, `tile grid at ${width}px`).toBeLessThanOrEqual(1);
    }
    await page.click('[data-range="300"]');
    expect(await page.getAttribute('[data-range="300"]', "aria-pressed")).toBe("true");
    expect(await page.getAttribute('[data-range="1800"]', "aria-pressed")).toBe("false");
    for (const id of [
      "chart-rate",
      "chart-latency",
      "chart-cache",
      "chart-spend",
      "chart-limits",
    ]) {
      expect(await page.locator(`#${id} svg`).count()).toBe(1);
    }
    // The local model answered: its count is not 0, and upstream columns say "–", not 0.
    const local = page.locator("#models tbody tr", { hasText: "local-extractive" });
    const cells = await local.locator("td").allTextContents();
    expect(Number(cells[0]?.replace(/,/g, ""))).toBeGreaterThan(0);
    expect(cells[3]).toBe("–");
    expect(await page.locator("#overhead").textContent()).toMatch(/Gateway overhead/);
  });

  it("ranks the playground's sources with a relevance bar relative to the best, as plain text", async () => {
    await open("#playground", "#ask-form");
    await page.fill("#question", "How are answers cached across tiers?");
    await page.fill("#k", "4");
    await page.click("#ask");
    await page.locator("#sources li").first().waitFor();
    expect(await texts("#sources .rank")).toEqual(["#1", "#2", "#3", "#4"]);
    const relevance = await texts("#sources .relevance");
    expect(relevance[0]).toBe("100% of the best match");
    for (const r of relevance) expect(r).toMatch(/^\d{1,3}% of the best match$/);
    expect(await page.locator("#sources .bar").first().getAttribute("aria-label")).toMatch(
      /^relevance: /,
    );
    for (const snippet of await texts("#sources li p")) {
      expect(snippet).not.toMatch(/(^|\s)#{1,6}\s|```|\*\*|\]\(/);
    }
    expect(await page.locator("#meta-model").textContent()).toBe("local-extractive");
    expect(await page.locator("#answer a.cite").count()).toBeGreaterThan(0);
  });

  it("renders the answer's markdown as paragraphs, lists, bold and code, and HTML in it as text", async () => {
    const answer = [
      "Answers are cached in **two tiers** [1]: the isolate and `KV`.",
      "",
      "- a **`hit`** costs no tokens [2]",
      "- a miss pays",
      "",
      "1. embed",
      "2. retrieve",
      "",
      '<img src="x" onerror="window.__injected = 1"> stays **text**',
    ].join("\n");
    const sources = [1, 2].map((n) => ({
      id: `doc-${n}`,
      title: `Doc ${n}`,
      source: `doc-${n}.md`,
      score: 1 / n,
      text: "x",
    }));
    await page.route("**/v1/query", (route) =>
      route.fulfill({
        status: 200,
        contentType: "application/json",
        body: JSON.stringify({ answer, sources, model: "m", usage: {} }),
      }),
    );
    try {
      await open("#playground", "#ask-form");
      await page.fill("#question", "How are answers cached?");
      await page.click("#ask");
      await page.locator("#answer p", { hasText: "stays" }).waitFor();
      expect(await texts("#answer > p")).toEqual([
        "Answers are cached in two tiers [1]: the isolate and KV.",
        '<img src="x" onerror="window.__injected = 1"> stays text',
      ]);
      expect(await texts("#answer > p strong")).toEqual(["two tiers", "text"]);
      expect(await texts("#answer > p code")).toEqual(["KV"]);
      expect(await texts("#answer > ul > li")).toEqual([
        "a hit costs no tokens [2]",
        "a miss pays",
      ]);
      expect(await texts("#answer > ul > li > strong > code")).toEqual(["hit"]);
      expect(await texts("#answer > ol > li")).toEqual(["embed", "retrieve"]);
      expect(await texts("#answer a.cite")).toEqual(["[1]", "[2]"]);
      expect(await page.locator("#answer img").count()).toBe(0);
      expect(await page.evaluate("window.__injected")).toBeUndefined();
      expect(await page.locator("#answer").textContent()).not.toMatch(/\*\*|`/);
    } finally {
      await page.unroute("**/v1/query");
    }
  });

  it("asks in the namespace picked in the playground and lists each namespace's counts", async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
    const made = await fetch(`${dev.url}/admin/namespaces`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "picked" }),
    });
    expect(made.status).toBe(201);
    const { key } = await createApiKey(dev.url, ADMIN_TOKEN, {
      name: "console-namespaces",
      namespaces: ["default", "picked"],
      scopes: ["query", "documents:read", "documents:write"],
    });
    const ingest = await fetch(`${dev.url}/v1/documents`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        namespace: "picked",
        documents: [
          {
            id: "picked-only",
            title: "Namespace picker note",
            text: "The herons leave the marsh for the south every October.",
          },
        ],
      }),
    });
    expect(ingest.status).toBe(200);

    await open("#playground", "#ask-form");
    await page.click("#connection");
    await page.fill("#api-key", key);
    await page.click("#connect");
    await page.locator('#play-namespace option[value="picked"]').waitFor({ state: "attached" });
    expect(await texts("#play-namespace option")).toEqual(["default", "picked"]);
    await page.selectOption("#play-namespace", "picked");
    await page.fill("#question", "When do the herons leave the marsh?");
    const [asked] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith("/v1/query")),
      page.click("#ask"),
    ]);
    expect(asked.postDataJSON()).toMatchObject({ namespace: "picked" });
    // The previous question's sources are on the page until this answer replaces them.
    await page.locator("#sources .source-title", { hasText: "Namespace picker note" }).waitFor();
    expect(await texts("#sources .source-title")).toEqual(["Namespace picker note"]);

    // The table drawn by the earlier visit stays until this visit's stats arrive.
    await open("#usage", '#namespaces tbody tr:has-text("picked")');
    const picked = page.locator("#namespaces tbody tr", { hasText: "picked" });
    expect(await picked.locator("td").allTextContents()).toEqual(["1", "1", "1"]);
    expect(await texts("#namespaces tbody th")).toEqual(["default", "picked"]);
  });

  it("renders every page without '[object', 'null' or horizontal overflow, at desktop and phone width", async () => {
    const pages: Array<[string, string]> = [
      ["#log", "#log-table tbody tr[data-index]"],
      ["#keys", "#keys-table tbody tr"],
      ["#usage", "#tiles li"],
      ["#playground", "#ask-form"],
    ];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 844 });
      for (const [hash, ready] of pages) {
        await open(hash, ready);
        await page.waitForTimeout(150);
        expect(await visibleTextProblems(page), `${hash} at ${width}px`).toEqual([]);
        expect(await horizontalOverflow(page), `${hash} at ${width}px`).toBe(0);
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("shows the API reference loaded, without '[object', 'null' or overflow", async () => {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 844 });
      await page.goto(`${dev.url}/api`);
      await page.locator("#lead", { hasNotText: "Loading" }).waitFor();
      expect(await page.locator("#ops").textContent()).toContain("/v1/query");
      expect(await visibleTextProblems(page, false), `/api at ${width}px`).toEqual([]);
      expect(await horizontalOverflow(page), `/api at ${width}px`).toBe(0);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("ran without script errors or blocked resources", () => {
    expect(errors).toEqual([]);
  });

  it("never prints the admin token in the gateway's logs", () => {
    expect(dev.output()).not.toContain(ADMIN_TOKEN);
    expect(dev.output()).toMatch(/"event":"request"/);
  });
});
