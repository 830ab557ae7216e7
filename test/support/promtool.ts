// Runs promtool (Debian's `prometheus` package) on text or files, for the tests that need it.
import { spawnSync } from "node:child_process";
import { systemTool } from "./system-tool.js";

/** promtool's path, or null (skip) outside CI when it is not installed. */
export const promtool = systemTool(
  "promtool",
  "install Debian's prometheus package (apt-get install prometheus) for promtool",
);

/** Runs promtool with `args`, feeding `stdin`; returns its exit code and combined output. */
export function runPromtool(args: string[], stdin?: string): { code: number; output: string } {
  if (!promtool) throw new Error("promtool is not installed");
  const r = spawnSync(promtool, args, { input: stdin ?? "", encoding: "utf8", timeout: 30_000 });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}
