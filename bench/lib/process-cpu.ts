// CPU time used by a process and all its descendants (Linux /proc), in milliseconds: wrangler dev
// plus its workerd, so a benchmark can report CPU per request, which other load on a shared
// machine does not change the way it changes wall time. Returns null where /proc is missing.
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Stat {
  pid: number;
  ppid: number;
  name: string;
  ticks: number;
}

function statOf(pid: string): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may contain spaces.
    const name = text.slice(text.indexOf("(") + 1, text.lastIndexOf(")"));
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const ppid = Number(rest[1]);
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return { pid: Number(pid), ppid, name, ticks: utime + stime };
  } catch {
    return null;
  }
}

/** Milliseconds of CPU used so far by `root` and every process below it. */
export function treeCpuMs(root: number): number | null {
  const each = treeCpuByProcess(root);
  return each === null ? null : each.reduce((sum, p) => sum + p.ms, 0);
}

/** Milliseconds of CPU used so far by `root` and by every process below it, each, by pid. */
export function treeCpuByProcess(root: number): { pid: number; name: string; ms: number }[] | null {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return null;
  }
  const stats = entries.map(statOf).filter((s): s is Stat => s !== null);
  const children = new Map<number, Stat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const tree: Stat[] = [];
  const stack = [root];
  for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
    const own = stats.find((s) => s.pid === pid);
    if (own) tree.push(own);
    for (const c of children.get(pid) ?? []) stack.push(c.pid);
  }
  return tree
    .sort((a, b) => a.pid - b.pid)
    .map((s) => ({ pid: s.pid, name: s.name, ms: (s.ticks * 1000) / TICKS_PER_SECOND }));
}
