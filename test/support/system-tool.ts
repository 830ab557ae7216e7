// System tools some tests need (promtool, chromium). Under CI=true a missing tool fails the run;
// elsewhere the tests that need it are skipped with one line saying what to install.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** The absolute path of an executable on PATH (or an absolute path that exists), or null. */
export function findExecutable(name: string): string | null {
  const candidates = name.startsWith("/")
    ? [name]
    : (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, name));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * The tool's path, or null when it is missing outside CI (after printing one line saying what to
 * install). Under CI=true a missing tool throws, which fails the test file.
 * @example const promtool = systemTool("promtool", "apt-get install prometheus");
 *          describe.runIf(promtool)("promtool", () => { ... });
 */
export function systemTool(name: string, install: string): string | null {
  const path = findExecutable(name);
  if (path) return path;
  const message = `${name} not found: ${install}`;
  if (process.env.CI === "true") throw new Error(`${message} (required when CI=true)`);
  console.warn(`skipping tests that need ${name}: ${install}`);
  return null;
}
