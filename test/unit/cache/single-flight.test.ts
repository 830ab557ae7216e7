import { describe, expect, it } from "vitest";
import { SingleFlight } from "../../../shared/cache/single-flight.js";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("SingleFlight", () => {
  it("runs one computation for concurrent callers with the same key", async () => {
    const flight = new SingleFlight<number>();
    const gate = deferred<number>();
    let runs = 0;
    const fn = (): Promise<number> => {
      runs++;
      return gate.promise;
    };
    const calls = Array.from({ length: 20 }, () => flight.run("k", fn));
    gate.resolve(42);
    const results = await Promise.all(calls);
    expect(runs).toBe(1);
    expect(results.map((r) => r.value)).toEqual(Array(20).fill(42));
    expect(results.filter((r) => r.leader)).toHaveLength(1);
    expect(flight.size).toBe(0);
  });

  it("keeps different keys apart", async () => {
    const flight = new SingleFlight<string>();
    const [a, b] = await Promise.all([
      flight.run("a", async () => "A"),
      flight.run("b", async () => "B"),
    ]);
    expect([a.value, b.value, a.leader, b.leader]).toEqual(["A", "B", true, true]);
  });

  it("shares a failure with every waiter, then lets the next caller start fresh", async () => {
    const flight = new SingleFlight<number>();
    const gate = deferred<number>();
    const first = flight.run("k", () => gate.promise);
    const second = flight.run("k", () => Promise.resolve(1));
    gate.reject(new Error("upstream down"));
    await expect(first).rejects.toThrow("upstream down");
    await expect(second).rejects.toThrow("upstream down");
    await expect(flight.run("k", async () => 2)).resolves.toEqual({ value: 2, leader: true });
  });

  it("does not wedge a key when the computation throws synchronously", async () => {
    const flight = new SingleFlight<number>();
    await expect(
      flight.run("k", () => {
        throw new Error("sync");
      }),
    ).rejects.toThrow("sync");
    expect(flight.size).toBe(0);
    await expect(flight.run("k", async () => 3)).resolves.toEqual({ value: 3, leader: true });
  });

  it("hands the leader the shared computation to keep alive", async () => {
    const flight = new SingleFlight<number>();
    const seen: Array<Promise<unknown>> = [];
    await flight.run(
      "k",
      async () => 5,
      (p) => seen.push(p),
    );
    expect(seen).toHaveLength(1);
    await expect(seen[0]).resolves.toBe(5);
  });
});
