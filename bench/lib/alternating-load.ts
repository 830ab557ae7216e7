// Two servers under the same load in alternating blocks (which one goes first alternates too),
// so a change in the machine's load during a run falls on both alike. Each side also reports the
// CPU its own serving processes used per request during its own blocks, process by process:
// unlike req/s, other load on a shared machine does not move it much.
import { runLoad, type LoadResult } from "./http-load.js";
import { treeCpuByProcess } from "./process-cpu.js";

export interface LoadSide {
  /** The process group that serves this side (wrangler and the runtimes under it). */
  pid: number;
  /** The request numbered `i` (counted over all of this side's blocks). */
  request(i: number): { url: string; init?: RequestInit };
}

export interface SideLoad extends LoadResult {
  /** CPU per request of each serving process: the runtimes as `workerd#1`, `workerd#2`, ... in
   * pid order (wrangler's proxy, then the Worker's), any other process by name; null where
   * /proc is missing. */
  cpuByProcess: Map<string, number> | null;
  /** CPU per request of all of them together. */
  cpuMs: number | null;
  /** Requests per second in each of this side's blocks, in order. */
  blockRequestsPerSecond: number[];
}

/** Sends `total` requests to each side at `concurrency`, in `blocks` alternating blocks. */
export async function alternatingLoad(
  sides: readonly [LoadSide, LoadSide],
  options: { total: number; blocks: number; concurrency: number },
): Promise<[SideLoad, SideLoad]> {
  const per = Math.floor(options.total / options.blocks);
  const parts: [LoadResult[], LoadResult[]] = [[], []];
  const cpu: [Map<string, number> | null, Map<string, number> | null] = [new Map(), new Map()];
  for (let block = 0; block < options.blocks; block++) {
    const order: Array<0 | 1> = block % 2 === 0 ? [0, 1] : [1, 0];
    for (const which of order) {
      const side = sides[which];
      const offset = block * per;
      const before = treeCpuByProcess(side.pid);
      parts[which].push(
        await runLoad((i) => side.request(offset + i), {
          total: per,
          concurrency: options.concurrency,
        }),
      );
      const after = treeCpuByProcess(side.pid);
      cpu[which] = addCpu(cpu[which], before, after);
    }
  }
  const done = per * options.blocks;
  return [sideLoad(parts[0], cpu[0], done), sideLoad(parts[1], cpu[1], done)];
}

type ProcessCpu = ReturnType<typeof treeCpuByProcess>;

/** `into` plus what each process used between `before` and `after`; null once either is missing. */
function addCpu(
  into: Map<string, number> | null,
  before: ProcessCpu,
  after: ProcessCpu,
): Map<string, number> | null {
  if (into === null || before === null || after === null) return null;
  const used = new Map(before.map((p) => [p.pid, p.ms]));
  let runtimes = 0;
  for (const p of after) {
    const name = p.name === "workerd" ? `workerd#${++runtimes}` : p.name;
    into.set(name, (into.get(name) ?? 0) + p.ms - (used.get(p.pid) ?? 0));
  }
  return into;
}

/** A side's blocks as if they were one run: every request, over the blocks' summed time. */
function sideLoad(parts: LoadResult[], cpu: Map<string, number> | null, n: number): SideLoad {
  const statuses: Record<number, number> = {};
  for (const p of parts)
    for (const [code, count] of Object.entries(p.statuses))
      statuses[Number(code)] = (statuses[Number(code)] ?? 0) + count;
  const elapsedMs = parts.reduce((a, p) => a + p.elapsedMs, 0);
  const perRequest = cpu && new Map([...cpu].map(([name, total]) => [name, total / n]));
  return {
    latencies: parts.flatMap((p) => p.latencies),
    statuses,
    errors: parts.reduce((a, p) => a + p.errors, 0),
    elapsedMs,
    requestsPerSecond: (n / elapsedMs) * 1000,
    cpuByProcess: perRequest,
    cpuMs: perRequest ? [...perRequest.values()].reduce((a, b) => a + b, 0) : null,
    blockRequestsPerSecond: parts.map((p) => p.requestsPerSecond),
  };
}
