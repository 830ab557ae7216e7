import { describe, expect, it } from "vitest";
import { ageHeader, cacheDirectives, skipsCache } from "../../../shared/cache/directives.js";

describe("cacheDirectives", () => {
  it("looks up and stores by default", () => {
    expect(cacheDirectives(true, null)).toEqual({ lookup: true, store: true });
  });

  it("skips the lookup but still stores for use_cache: false and no-cache", () => {
    expect(cacheDirectives(false, null)).toEqual({ lookup: false, store: true });
    expect(cacheDirectives(true, "no-cache")).toEqual({ lookup: false, store: true });
    expect(cacheDirectives(true, "max-age = 0")).toEqual({ lookup: false, store: true });
    expect(cacheDirectives(true, null, "no-cache")).toEqual({ lookup: false, store: true });
  });

  it("skips both for no-store, whatever else the header says", () => {
    expect(cacheDirectives(true, "No-Store")).toEqual({ lookup: false, store: false });
    expect(cacheDirectives(true, "max-age=60, no-store")).toEqual({ lookup: false, store: false });
  });

  it("ignores directives that say nothing about freshness", () => {
    expect(cacheDirectives(true, "private, stale-if-error=5")).toEqual({
      lookup: true,
      store: true,
    });
    expect(cacheDirectives(true, "no-cache-please")).toEqual({ lookup: true, store: true });
  });

  it("keeps a positive max-age as the age bound, the smallest if it repeats", () => {
    expect(cacheDirectives(true, "max-age=60, private")).toEqual({
      lookup: true,
      store: true,
      maxAgeSeconds: 60,
    });
    expect(cacheDirectives(true, "Max-Age = 300, max-age=30").maxAgeSeconds).toBe(30);
    // With no-cache the lookup is skipped, but the bound (a chat opt-in) still travels.
    expect(cacheDirectives(true, "no-cache, max-age=60")).toEqual({
      lookup: false,
      store: true,
      maxAgeSeconds: 60,
    });
  });

  it("drops the bound under no-store, and ignores a malformed or zero max-age as a bound", () => {
    expect(cacheDirectives(true, "max-age=60, no-store").maxAgeSeconds).toBeUndefined();
    expect(cacheDirectives(true, "max-age=-5")).toEqual({ lookup: true, store: true });
    expect(cacheDirectives(true, "max-age=1.5")).toEqual({ lookup: true, store: true });
    expect(cacheDirectives(true, "max-age=")).toEqual({ lookup: true, store: true });
    expect(cacheDirectives(true, "max-age=00")).toEqual({ lookup: false, store: true });
    expect(cacheDirectives(true, `max-age=${"9".repeat(40)}`)).toEqual({
      lookup: true,
      store: true,
    });
  });
});

describe("skipsCache", () => {
  it("is true only when a request neither looks up nor stores", () => {
    expect(skipsCache({ lookup: false, store: false })).toBe(true);
    expect(skipsCache({ lookup: false, store: true })).toBe(false);
    expect(skipsCache({ lookup: true, store: true })).toBe(false);
  });
});

describe("cacheDirectives on hostile headers", () => {
  it("reads directives around a long run of spaces, split by hand", () => {
    expect(cacheDirectives(true, `no-store${" ".repeat(50_000)}, x`)).toEqual({
      lookup: false,
      store: false,
    });
    expect(cacheDirectives(true, `max-age ${" ".repeat(50_000)}= 0`).lookup).toBe(false);
    expect(cacheDirectives(true, `a${" ".repeat(50_000)}b`)).toEqual({ lookup: true, store: true });
  });
});

describe("ageHeader", () => {
  const now = 1_700_000_000_000;
  it("counts whole seconds since the entry was computed", () => {
    expect(ageHeader(now - 61_999, now)).toEqual({ age: "61" });
    expect(ageHeader(now - 999, now)).toEqual({ age: "0" });
  });
  it("says 0 for an answer another request computed just now, and never goes negative", () => {
    expect(ageHeader(undefined, now)).toEqual({ age: "0" });
    expect(ageHeader(now + 5_000, now)).toEqual({ age: "0" });
  });
});
