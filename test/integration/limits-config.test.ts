// Configuration of keys and limits: production refuses to run open or without an admin token,
// limit defaults are bounded like key limits, and the development-only switch that lets
// anonymous callers skip the limiter never frees a key from its limits.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../workers/env.js";
import { bearer, callWithVars, createKey } from "./limits-helpers.js";

const BASE = {
  ENVIRONMENT: "production",
  ADMIN_TOKEN: "a-production-admin-token-of-32-chars",
  ALLOW_ANONYMOUS: "false",
};

describe("limits configuration", () => {
  it("is valid for production with an admin token and anonymous access off", () => {
    const config = parseConfig(BASE);
    expect(config.ALLOW_ANONYMOUS).toBe(false);
    expect(config.keyDefaults).toEqual({
      rpm: 60,
      tpm: 200_000,
      dailyBudgetUsd: 5,
      monthlyBudgetUsd: 100,
    });
  });

  it.each([
    [{ ADMIN_TOKEN: undefined }, /ADMIN_TOKEN is required in production/],
    [{ ADMIN_TOKEN: "a-long-admin-token" }, /ADMIN_TOKEN must be at least 32 characters/],
    [{ ADMIN_TOKEN: "ragway-dev-admin-token" }, /ADMIN_TOKEN is the published development token/],
    [{ ALLOW_ANONYMOUS: "true" }, /ALLOW_ANONYMOUS must be false in production/],
    [{ RATE_LIMITS_ENABLED: "false" }, /RATE_LIMITS_ENABLED must be true in production/],
    [{ DEFAULT_RPM: "0" }, /DEFAULT_RPM/],
    [{ DEFAULT_RPM: "2.5" }, /DEFAULT_RPM/],
    [{ ANONYMOUS_TPM: "lots" }, /ANONYMOUS_TPM/],
    [{ DEFAULT_DAILY_BUDGET_USD: "-1" }, /DEFAULT_DAILY_BUDGET_USD/],
    [{ ANONYMOUS_MONTHLY_BUDGET_USD: "2000000" }, /ANONYMOUS_MONTHLY_BUDGET_USD/],
    [{ DEFAULT_MODEL: "no-such-model" }, /DEFAULT_MODEL: "no-such-model" is not a chat model/],
    [{ DEFAULT_MODEL: "gpt-4o-mini" }, /DEFAULT_MODEL: "gpt-4o-mini" needs OPENAI_API_KEY/],
    [{ EMBEDDING_MODEL: "gpt-4o-mini" }, /EMBEDDING_MODEL: "gpt-4o-mini" is not an embedding/],
    [{ FALLBACK_MODELS: "local-hash-embed" }, /FALLBACK_MODELS: "local-hash-embed" is not a chat/],
  ])("refuses %j with an error naming the variable", (override, message) => {
    const vars: Record<string, unknown> = { ...BASE, ...override };
    expect(() => parseConfig(vars)).toThrow(ConfigError);
    expect(() => parseConfig(vars)).toThrow(message);
  });

  it("answers every request of a production deployment without ADMIN_TOKEN as misconfigured, naming the variable only in the log", async () => {
    const res = await callWithVars(
      { ENVIRONMENT: "production", ADMIN_TOKEN: "", ALLOW_ANONYMOUS: "false" },
      "GET",
      "/health",
    );
    expect(res.status).toBe(500);
    const body = await res.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe("config_error");
    expect(body.error.message).toBe("server misconfigured");
    expect(JSON.stringify(body)).not.toContain("ADMIN_TOKEN");
  });

  it("with RATE_LIMITS_ENABLED=false lets anonymous callers skip the limiter, never a key", async () => {
    const off = { RATE_LIMITS_ENABLED: "false" };
    const anon = await callWithVars(off, "POST", "/v1/query", { body: { query: "hi" } });
    expect(anon.status).toBe(200);
    expect(anon.headers.get("x-ratelimit-limit")).toBeNull();
    const anonUsage = await callWithVars(off, "GET", "/v1/usage");
    expect(await anonUsage.json()).toMatchObject({ rate_limits: "disabled" });

    const { key } = await createKey({ name: "still-limited", rpm: 1 });
    const first = await callWithVars(off, "POST", "/v1/query", {
      body: { query: "hi" },
      headers: bearer(key),
    });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-limit")).toBe("1");
    const second = await callWithVars(off, "POST", "/v1/query", {
      body: { query: "hi" },
      headers: bearer(key),
    });
    expect(second.status).toBe(429);
  });

  it("applies the configured anonymous limits to each anonymous client", async () => {
    const res = await callWithVars({}, "GET", "/v1/usage", {
      headers: { "cf-connecting-ip": "192.0.2.44" },
    });
    const body = await res.json<{ requests: { limit: number }; tokens: { limit: number } }>();
    expect(body.requests.limit).toBe(Number(env.ANONYMOUS_RPM));
    expect(body.tokens.limit).toBe(Number(env.ANONYMOUS_TPM));
  });
});
