// `ragway ingest` arguments: environment fallbacks, defaults and usage errors.
import { describe, expect, it } from "vitest";
import { DEFAULT_URL, parseIngestArgs } from "../../../cli/ingest/options.js";

describe("parseIngestArgs", () => {
  it("takes the URL and key from the environment, with defaults for the rest", () => {
    const r = parseIngestArgs(
      ["docs"],
      { RAGWAY_URL: "https://x.test", RAGWAY_API_KEY: "rk_1" },
      "/w",
    );
    expect(r).toMatchObject({
      ok: true,
      help: false,
      options: {
        paths: ["docs"],
        url: "https://x.test",
        key: "rk_1",
        base: "/w",
        concurrency: 4,
        limits: { maxDocuments: 100 },
        retries: 5,
        timeoutMs: 120_000,
        progress: "auto",
        dryRun: false,
      },
    });
  });

  it("lets flags win over the environment and parses repeated metadata", () => {
    const r = parseIngestArgs(
      [
        "a",
        "b",
        "--url",
        "https://y.test",
        "--key",
        "rk_2",
        "--metadata",
        "team=hr",
        "--metadata",
        "lang=en=us",
        "--batch-size",
        "10",
      ],
      { RAGWAY_URL: "http://x.test", RAGWAY_API_KEY: "rk_1" },
      "/w",
    );
    expect(r).toMatchObject({
      ok: true,
      options: {
        url: "https://y.test",
        key: "rk_2",
        metadata: { team: "hr", lang: "en=us" },
        limits: { maxDocuments: 10 },
      },
    });
  });

  it("defaults to the local development server when neither --url nor RAGWAY_URL is given", () => {
    expect(DEFAULT_URL).toBe("http://127.0.0.1:8787");
    expect(parseIngestArgs(["d"], {}, "/w")).toMatchObject({
      ok: true,
      options: { url: "http://127.0.0.1:8787" },
    });
    expect(parseIngestArgs(["d"], { RAGWAY_URL: "" }, "/w")).toMatchObject({
      ok: true,
      options: { url: "http://127.0.0.1:8787" },
    });
    // A dry run asks no server unless one is named.
    expect(parseIngestArgs(["d", "--dry-run"], {}, "/w")).toMatchObject({
      ok: true,
      options: { url: null },
    });
  });

  it("explains bad values", () => {
    const bad = (args: string[]) => {
      const r = parseIngestArgs([...args], { RAGWAY_URL: "http://x.test" }, "/w");
      return r.ok ? "ok" : r.message;
    };
    expect(bad([])).toBe("give at least one file or folder");
    expect(bad(["d", "--batch-size", "101"])).toBe("--batch-size must be at most 100");
    expect(bad(["d", "--concurrency", "two"])).toBe("--concurrency must be a number");
    expect(bad(["d", "--url", "ftp://x"])).toBe("--url must be an http(s) URL");
    expect(bad(["d", "--progress", "fancy"])).toBe("--progress must be auto, bar or plain");
    expect(bad(["d", "--metadata", "novalue"])).toBe("--metadata takes key=value");
    expect(bad(["d", "--metadata", "content_sha256=x"])).toBe(
      "--metadata content_sha256 is set by the CLI",
    );
    expect(bad(["d", "--prefix", "a b"])).toMatch(/^--prefix may contain/);
    expect(bad(["d", "--bogus"])).toMatch(/bogus/);
  });

  it("refuses to send a key over plain http:// to another host, unless --insecure", () => {
    const parse = (args: string[], env: Record<string, string> = {}) =>
      parseIngestArgs(["d", ...args], env, "/w");
    const refused = parse(["--url", "http://10.0.0.5:8787", "--key", "rgw_k"]);
    expect(refused).toMatchObject({ ok: false });
    expect(refused.ok ? "" : refused.message).toMatch(
      /refusing to send the API key over plain http:\/\/ to 10\.0\.0\.5:8787/,
    );
    // From the environment too.
    expect(parse([], { RAGWAY_URL: "http://gw.example", RAGWAY_API_KEY: "k" }).ok).toBe(false);
    // Fine: --insecure, https, loopback, or no key to leak.
    expect(parse(["--url", "http://10.0.0.5:8787", "--key", "k", "--insecure"]).ok).toBe(true);
    expect(parse(["--url", "https://gw.example", "--key", "k"]).ok).toBe(true);
    for (const url of ["http://127.0.0.1:8787", "http://localhost:8787", "http://[::1]:8787"]) {
      expect(parse(["--url", url, "--key", "k"]).ok, url).toBe(true);
    }
    expect(parse(["--url", "http://gw.example"]).ok).toBe(true);
  });
});
