import { describe, expect, it } from "vitest";
import { cacheDirectives } from "../../../shared/cache/directives.js";

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
    expect(cacheDirectives(true, "max-age=60, private")).toEqual({ lookup: true, store: true });
    expect(cacheDirectives(true, "no-cache-please")).toEqual({ lookup: true, store: true });
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
