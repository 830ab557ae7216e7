// What the Worker writes to the console during a test: every level captured as one line per
// call (the logger writes JSON), reset before each test and restored after it. A request's log
// line is written once its response is on its way (a stream's once it has ended), so a test waits
// for the line of the response it holds (`requestLineOf`) before it counts lines.
import { afterEach, beforeEach, expect, vi } from "vitest";

export interface ConsoleLines {
  /** Every line written since the test began (or since `clear`). */
  all(): string[];
  /** The JSON records whose `event` is `event`, in order. */
  records(event: string): Array<Record<string, unknown>>;
  /** Forgets what was written so far. */
  clear(): void;
  /** The request line of `response` (matched by its X-Request-Id), once it has been written. */
  requestLineOf(response: Response): Promise<Record<string, unknown>>;
}

/** Captures console output around each test of the calling file. */
export function captureConsole(): ConsoleLines {
  let lines: string[] = [];
  let spies: Array<{ mockRestore(): void }> = [];
  beforeEach(() => {
    lines = [];
    spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(" "));
      }),
    );
  });
  afterEach(() => spies.forEach((s) => s.mockRestore()));
  const records = (event: string): Array<Record<string, unknown>> =>
    lines
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.event === event);
  return {
    all: () => lines,
    records,
    clear: () => {
      lines = [];
    },
    requestLineOf: async (response) => {
      const id = response.headers.get("x-request-id");
      expect(id).toMatch(/^req_/);
      return vi.waitFor(() => {
        const line = records("request").find((r) => r.request_id === id);
        expect(line).toBeDefined();
        return line ?? {};
      });
    },
  };
}
