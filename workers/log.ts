// Structured logs: one JSON object per line on the console (Workers Logs / wrangler tail).
// Callers pass fields, never raw headers; secrets never reach here by construction.
import type { Logger } from "../shared/ports.js";

/** A logger whose records all carry `base` fields (e.g. request_id). */
export function createLogger(base: Record<string, unknown> = {}): Logger {
  const write = (level: string, event: string, fields?: Record<string, unknown>): void => {
    const line = JSON.stringify({
      level,
      event,
      time: new Date().toISOString(),
      ...base,
      ...fields,
    });
    if (level === "error") console.error(line);
    else if (level === "warn") console.warn(line);
    else console.log(line);
  };
  return {
    info: (event, fields) => write("info", event, fields),
    warn: (event, fields) => write("warn", event, fields),
    error: (event, fields) => write("error", event, fields),
  };
}
