// Talks to the mock upstream's control plane (/_mock) from inside the Workers pool.
import type { Counts, Faults, RecordedRequest } from "../../mock-upstream/server.js";

/** Control-plane client for the mock upstream whose URL the pool bound as UPSTREAM_CONTROL_URL. */
export function upstream(env: object) {
  const base = String((env as Record<string, unknown>).UPSTREAM_CONTROL_URL);
  return {
    async reset(): Promise<void> {
      await fetch(`${base}/reset`, { method: "POST" });
    },
    async faults(faults: Faults): Promise<void> {
      const res = await fetch(`${base}/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(faults),
      });
      if (!res.ok) throw new Error(`mock faults rejected: ${await res.text()}`);
    },
    async counts(): Promise<Counts> {
      return (await fetch(`${base}/counts`)).json<Counts>();
    },
    async requests(): Promise<RecordedRequest[]> {
      return (await fetch(`${base}/requests`)).json<RecordedRequest[]>();
    },
  };
}
