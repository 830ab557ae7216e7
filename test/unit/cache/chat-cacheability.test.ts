import { describe, expect, it } from "vitest";
import {
  chatCacheDirectives,
  isReproducible,
  NO_CACHE,
} from "../../../shared/cache/chat-cacheability.js";
import { cacheDirectives } from "../../../shared/cache/directives.js";

const plain = cacheDirectives(true, null);

describe("isReproducible", () => {
  it("is true for temperature exactly 0 or any seed", () => {
    expect(isReproducible({ temperature: 0 })).toBe(true);
    expect(isReproducible({ seed: 42 })).toBe(true);
    expect(isReproducible({ seed: 0, temperature: 1.2 })).toBe(true);
    expect(isReproducible({ temperature: 0, seed: null })).toBe(true);
  });

  it("is false for a sampled request: temperature absent, null or above 0, no seed", () => {
    expect(isReproducible({})).toBe(false);
    expect(isReproducible({ temperature: null, seed: null })).toBe(false);
    expect(isReproducible({ temperature: 0.01 })).toBe(false);
    expect(isReproducible({ temperature: 1 })).toBe(false);
  });
});

describe("chatCacheDirectives", () => {
  it("keeps the request's own directives when it is reproducible", () => {
    expect(chatCacheDirectives({ temperature: 0 }, plain)).toEqual({ lookup: true, store: true });
    expect(chatCacheDirectives({ seed: 7 }, cacheDirectives(true, "no-cache"))).toEqual({
      lookup: false,
      store: true,
    });
    expect(chatCacheDirectives({ temperature: 0 }, cacheDirectives(true, "no-store"))).toEqual(
      NO_CACHE,
    );
    expect(chatCacheDirectives({ temperature: 0 }, cacheDirectives(true, "max-age=60"))).toEqual({
      lookup: true,
      store: true,
      maxAgeSeconds: 60,
    });
  });

  it("leaves a sampled request out of the cache entirely by default", () => {
    expect(chatCacheDirectives({}, plain)).toEqual({ lookup: false, store: false });
    expect(chatCacheDirectives({ temperature: 0.7 }, plain)).toBe(NO_CACHE);
    // no-cache and Pragma: no-cache alone do not opt a sampled request in.
    expect(chatCacheDirectives({}, cacheDirectives(true, "no-cache"))).toBe(NO_CACHE);
    expect(chatCacheDirectives({}, cacheDirectives(true, null, "no-cache"))).toBe(NO_CACHE);
    expect(chatCacheDirectives({}, cacheDirectives(true, "max-age=0"))).toBe(NO_CACHE);
  });

  it("caches a sampled request that opts in with a positive max-age", () => {
    expect(chatCacheDirectives({ temperature: 1 }, cacheDirectives(true, "max-age=60"))).toEqual({
      lookup: true,
      store: true,
      maxAgeSeconds: 60,
    });
    expect(chatCacheDirectives({}, cacheDirectives(true, "max-age=60, no-store"))).toBe(NO_CACHE);
  });
});
