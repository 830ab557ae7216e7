// Progress output. On a terminal: one bar redrawn in place (\r, at most every 100 ms) with files,
// chunks, rate and ETA, and notes printed above it. Piped: plain lines, a progress line at most
// every few seconds, so logs stay readable and greppable.

/** Where output goes; a TTY stream also reports its width. */
export interface Output {
  write(text: string): void;
  isTTY?: boolean;
  columns?: number;
}

export interface Snapshot {
  done: number;
  total: number;
  chunks: number;
  /** Documents of the ingestion jobs submitted so far, as last polled. */
  jobs?: { done: number; failed: number; remaining: number };
}

/** " | jobs: 180 done, 2 failed, 318 remaining", or nothing before the first job. */
function jobsPart(state: Snapshot): string {
  const j = state.jobs;
  if (!j || j.done + j.failed + j.remaining === 0) return "";
  return ` | jobs: ${j.done} done, ${j.failed} failed, ${j.remaining} remaining`;
}

export interface Reporter {
  /** Progress changed (the reporter decides whether to draw). */
  update(state: Snapshot): void;
  /** A line that must be seen: a failure, a retry, a plan entry. */
  note(text: string): void;
  /** Draws the final state and leaves the cursor on a fresh line. */
  finish(state: Snapshot): void;
}

/** "6s", "2m05s", "1h02m"; "--" when unknown. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "--";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Rate (files/s) and ETA (ms) after `elapsedMs`. */
export function rateAndEta(state: Snapshot, elapsedMs: number): { rate: number; etaMs: number } {
  const rate = elapsedMs > 0 ? (state.done * 1000) / elapsedMs : 0;
  const etaMs = rate > 0 ? ((state.total - state.done) / rate) * 1000 : Number.NaN;
  return { rate, etaMs: state.done >= state.total ? 0 : etaMs };
}

function percent(state: Snapshot): number {
  return state.total === 0 ? 100 : Math.floor((state.done * 100) / state.total);
}

/** The bar line (without \r): bar, percentage, files, chunks, rate, ETA. */
export function barLine(state: Snapshot, elapsedMs: number, columns: number): string {
  const { rate, etaMs } = rateAndEta(state, elapsedMs);
  const pct = percent(state);
  const info = ` ${String(pct).padStart(3)}% ${state.done}/${state.total} files | ${state.chunks} chunks | ${rate.toFixed(1)} files/s | ETA ${formatDuration(etaMs)}${jobsPart(state)}`;
  const width = Math.max(10, Math.min(30, columns - info.length - 3));
  const filled = Math.round((width * pct) / 100);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]${info}`;
}

/** The plain progress line. */
export function plainLine(state: Snapshot, elapsedMs: number): string {
  const { rate, etaMs } = rateAndEta(state, elapsedMs);
  return `progress ${state.done}/${state.total} files (${percent(state)}%), ${state.chunks} chunks, ${rate.toFixed(1)} files/s, ETA ${formatDuration(etaMs)}${jobsPart(state).replace(" |", ";")}`;
}

/** A reporter for `out`: the redrawn bar on a TTY, plain lines otherwise. */
export function createReporter(
  out: Output,
  options: { now(): number; mode: "bar" | "plain"; plainIntervalMs?: number },
): Reporter {
  const started = options.now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let last: Snapshot | null = null;
  let barShown = false;

  if (options.mode === "bar") {
    const draw = (state: Snapshot): void => {
      out.write(`\r\x1b[K${barLine(state, options.now() - started, out.columns ?? 80)}`);
      barShown = true;
    };
    return {
      update(state) {
        last = state;
        const now = options.now();
        if (now - lastDraw < 100) return;
        lastDraw = now;
        draw(state);
      },
      note(text) {
        out.write(`${barShown ? "\r\x1b[K" : ""}${text}\n`);
        if (last) draw(last);
      },
      finish(state) {
        draw(state);
        out.write("\n");
      },
    };
  }

  const interval = options.plainIntervalMs ?? 2000;
  return {
    update(state) {
      const now = options.now();
      if (now - lastDraw < interval) return;
      lastDraw = now;
      out.write(`${plainLine(state, now - started)}\n`);
    },
    note(text) {
      out.write(`${text}\n`);
    },
    finish(state) {
      out.write(`${plainLine(state, options.now() - started)}\n`);
    },
  };
}
