// Screenshots of every console page for docs/console.md: starts `wrangler dev`, sends real
// traffic through the public API, and captures each page at desktop width (and the request log
// at phone width) into docs/screenshots/. Run with `npm run screenshots`.
import { mkdir } from "node:fs/promises";
import { launchBrowser } from "../test/support/browser.js";
import {
  sendConsoleTraffic,
  sendSteadyTraffic,
  sendVariety,
} from "../test/support/console-traffic.js";
import { startWranglerDev } from "../test/support/wrangler-dev.js";

const ADMIN_TOKEN = "screenshots-admin-token-5e1c";
const OUT = "docs/screenshots";

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const dev = await startWranglerDev({ vars: { ADMIN_TOKEN } });
  const browser = await launchBrowser({ width: 1280, height: 800 });
  try {
    const traffic = await sendConsoleTraffic(dev.url, ADMIN_TOKEN);
    // Charts need samples 5 s apart with traffic between them.
    const { mobile, batch } = traffic.keys;
    const steady = sendSteadyTraffic(dev.url, [batch.key, mobile.key, batch.key], 40);
    const page = await browser.context.newPage();
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`${dev.url}/#playground`);
    await page.evaluate(
      `sessionStorage.setItem("ragway.adminToken", ${JSON.stringify(ADMIN_TOKEN)})`,
    );
    // Ask once from the page, then wait for a few stats samples so the charts have lines.
    await page.reload();
    await page.click("#ask");
    await page.locator("#sources li").first().waitFor();
    await page.screenshot({ path: `${OUT}/playground.png` });
    await steady;
    // The log's first screen should show more than answers.
    await sendVariety(dev.url, traffic.keys);

    const shoot = async (hash: string, ready: string, file: string): Promise<void> => {
      await page.goto(`${dev.url}/${hash}`);
      await page.locator(ready).first().waitFor();
      await page.mouse.move(0, 0);
      await page.waitForTimeout(400);
      await page.screenshot({ path: `${OUT}/${file}` });
    };
    await shoot("#log", "#log-table tbody tr[data-index]", "requests.png");
    await page.locator("#log-table tbody tr[data-index]").first().click();
    await page.waitForTimeout(200);
    await page.screenshot({ path: `${OUT}/request-detail.png` });
    await page.keyboard.press("Escape");
    await shoot("#keys", "#keys-table tbody tr", "keys.png");
    await shoot("#documents", "#docs-table tbody tr", "documents.png");
    await page.goto(`${dev.url}/#usage`);
    await page.locator("#chart-rate svg polyline").first().waitFor();
    await page.click('[data-range="300"]');
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}/usage.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await shoot("#log", "#log-table tbody tr[data-index]", "requests-phone.png");
    console.log(`screenshots written to ${OUT}/`);
  } finally {
    await browser.close();
    await dev.stop();
  }
}

await main();
