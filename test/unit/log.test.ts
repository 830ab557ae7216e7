import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger, secretSet, withSecrets } from "../../workers/log.js";

function capture(): { lines: () => string[]; restore: () => void } {
  const out: string[] = [];
  const spies = (["log", "warn", "error"] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((line: unknown) => void out.push(String(line))),
  );
  return { lines: () => out, restore: () => spies.forEach((s) => s.mockRestore()) };
}

describe("the structured logger", () => {
  let cap: ReturnType<typeof capture> | undefined;
  afterEach(() => cap?.restore());

  it("writes one JSON object per call with the base fields", () => {
    cap = capture();
    createLogger({ request_id: "req_1" }).info("request", { route: "/v1/query", status: 200 });
    expect(cap.lines()).toHaveLength(1);
    const record = JSON.parse(cap.lines()[0] ?? "") as Record<string, unknown>;
    expect(record).toMatchObject({
      level: "info",
      event: "request",
      request_id: "req_1",
      route: "/v1/query",
      status: 200,
    });
  });

  it("scrubs the secrets it was given wherever they appear, even inside messages", () => {
    cap = capture();
    const log = createLogger({}, ["admin-secret-123456", "sk-upstream-abcdef", "short"]);
    log.error("unhandled_error", {
      error: "upstream said: invalid key sk-upstream-abcdef",
      nested: { note: "token admin-secret-123456 leaked" },
      word: "short stays",
    });
    const line = cap.lines()[0] ?? "";
    expect(line).not.toContain("admin-secret-123456");
    expect(line).not.toContain("sk-upstream-abcdef");
    expect(line).toContain("[redacted]");
    expect(line).toContain("short stays"); // too short to be a secret: not scrubbed
  });

  it("scrubs a secret that needs JSON escaping", () => {
    cap = capture();
    const secret = 'quote"and\\slash-secret';
    createLogger({}, [secret]).info("x", { value: `has ${secret}` });
    const line = cap.lines()[0] ?? "";
    expect(line).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(JSON.parse(line)).toMatchObject({ value: "has [redacted]" });
  });

  it("redacts credential-named fields and any Bearer value", () => {
    cap = capture();
    createLogger().warn("x", {
      authorization: "Bearer abc.def.ghi",
      headers: { cookie: "session=1", "x-api-key": "k1" },
      message: "sent Authorization: Bearer rk_live_999 to upstream",
      tokens: 42,
    });
    const line = cap.lines()[0] ?? "";
    for (const s of ["abc.def.ghi", "session=1", 'k1"', "rk_live_999"])
      expect(line).not.toContain(s);
    expect(JSON.parse(line)).toMatchObject({ tokens: 42 });
  });

  it("scrubs a prepared set of secrets plus the ones added per request", () => {
    cap = capture();
    const deployment = secretSet(["admin-secret-123456", undefined, "short"]);
    const log = createLogger({}, withSecrets(deployment, ["rgw_request_credential_1"]));
    log.info("x", { a: "admin-secret-123456", b: "rgw_request_credential_1", c: "short" });
    const line = cap.lines()[0] ?? "";
    expect(line).not.toContain("admin-secret-123456");
    expect(line).not.toContain("rgw_request_credential_1");
    expect(JSON.parse(line)).toMatchObject({ c: "short" });
    // The prepared set itself is not changed by what a request adds.
    expect(deployment.needles).toEqual(["admin-secret-123456"]);
  });

  it("keeps the needles longest first, so a secret inside a longer one never leaves a tail", () => {
    const deployment = secretSet(["sk-deploy-0123456789", "tok-12345678"]);
    const set = withSecrets(deployment, [
      "Bearer tok-12345678-and-more",
      "tok-12345678-and-more",
      'quo"te-secret',
      "tok-12345678",
    ]);
    expect(set.needles).toEqual([
      "Bearer tok-12345678-and-more",
      "tok-12345678-and-more",
      "sk-deploy-0123456789",
      'quo\\"te-secret',
      'quo"te-secret',
      "tok-12345678",
    ]);
    cap = capture();
    createLogger({}, set).info("x", { a: "Bearer tok-12345678-and-more", b: 'quo"te-secret' });
    const line = cap.lines()[0] ?? "";
    expect(line).not.toMatch(/tok-|and-more|quo/);
  });

  it("redacts a nested credential-named field whatever its case", () => {
    cap = capture();
    createLogger().info("x", { upstream: { Password: "hunter2-hunter2", ok: true } });
    const line = cap.lines()[0] ?? "";
    expect(line).not.toContain("hunter2");
    expect(JSON.parse(line)).toMatchObject({ upstream: { Password: "[redacted]", ok: true } });
  });
});
