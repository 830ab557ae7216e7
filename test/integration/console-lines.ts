// What the Worker writes to the console during a test: every level captured as one line per
// call (the logger writes JSON), reset before each test and restored after it.
import { afterEach, beforeEach, vi } from "vitest";

export interface ConsoleLines {
  /** Every line written since the test began (or since `clear`). */
  all(): string[];
  /** The JSON records whose `event` is `event`, in order. */
  records(event: string): Array<Record<string, unknown>>;
  /** Forgets what was written so far. */
  clear(): void;
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
  return {
    all: () => lines,
    records: (event) =>
      lines
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((r) => r.event === event),
    clear: () => {
      lines = [];
    },
  };
}
