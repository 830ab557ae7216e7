// Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core,
// never a browser downloaded by a tool, with a fresh profile each launch.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { systemTool } from "./system-tool.js";

/** Chromium's path, or null (skip) outside CI when it is not installed. */
export const chromiumPath =
  process.env.CHROMIUM_PATH ??
  systemTool("chromium", "install Debian's chromium package (apt-get install chromium)");

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium with a throwaway user-data dir. */
export async function launchBrowser(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  if (!chromiumPath) throw new Error("chromium is not installed");
  const profile = await mkdtemp(join(tmpdir(), "ragway-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    args: ARGS,
    headless: true,
    viewport,
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
