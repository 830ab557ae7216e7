import { describe, expect, it } from "vitest";
import { createLogThrottle } from "../../../shared/cache/log-throttle.js";
import { fakeClock } from "../../fakes/blob-store.js";

describe("createLogThrottle", () => {
  it("logs the first failure of a kind, counts repeats, and logs again after the interval", () => {
    const clock = fakeClock();
    const throttle = createLogThrottle({ intervalMs: 60_000, clock });
    expect(throttle("kv:get")).toEqual({ log: true, suppressed: 0 });
    expect(throttle("kv:get").log).toBe(false);
    expect(throttle("kv:get").log).toBe(false);
    expect(throttle("edge:get")).toEqual({ log: true, suppressed: 0 });
    clock.advance(60_000);
    expect(throttle("kv:get")).toEqual({ log: true, suppressed: 2 });
  });
});
