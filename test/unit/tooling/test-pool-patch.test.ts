// The Workers test pool as installed: its wrapper classes (the main Worker's entrypoint and every
// Durable Object class) must proxy their prototype once, not once per construction, or every
// request of an integration test file makes the next one slower (scripts/patch-test-pool.mjs).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const POOL_FILE =
  "node_modules/@cloudflare/vitest-pool-workers/dist/worker/lib/cloudflare/test-internal.mjs";

type ProxiedClass = { prototype: object; new (...args: unknown[]): object };
type MakeClass = (
  superClass: new (...args: unknown[]) => object,
  unknownKey: (key: string) => unknown,
) => ProxiedClass;

/** The installed pool's `createProxyPrototypeClass`, loaded on its own (the rest of the file
 * imports workerd's modules). */
async function installedCreateProxyPrototypeClass(): Promise<MakeClass> {
  const source = readFileSync(POOL_FILE, "utf8");
  const start = source.indexOf("function createProxyPrototypeClass(");
  const end = source.indexOf("\n}\n", start);
  expect(start).toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(start);
  const dir = mkdtempSync(join(tmpdir(), "ragway-pool-"));
  try {
    const file = join(dir, "proxy-class.mjs");
    writeFileSync(file, `const IGNORED_KEYS = ["self"];\nexport ${source.slice(start, end + 2)}`);
    const loaded = (await import(pathToFileURL(file).href)) as {
      createProxyPrototypeClass: MakeClass;
    };
    return loaded.createProxyPrototypeClass;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the installed Workers test pool", () => {
  it("keeps one prototype for a wrapper class however many times it is constructed", async () => {
    class Base {
      greet(): string {
        return "hello";
      }
    }
    const unknown: string[] = [];
    const Wrapper = (await installedCreateProxyPrototypeClass())(Base, (key) => {
      unknown.push(key);
      return `rpc:${key}`;
    });
    const first = new Wrapper();
    const prototype = Wrapper.prototype;
    for (let i = 0; i < 1_000; i++) new Wrapper();
    expect(Wrapper.prototype).toBe(prototype);
    // What the Proxy is for still holds: inherited methods resolve, unknown names delegate.
    expect((first as Base).greet()).toBe("hello");
    expect((first as Record<string, unknown>).someRpcMethod).toBe("rpc:someRpcMethod");
    expect(unknown).toEqual(["someRpcMethod"]);
  });

  it("is patched once: running the install step again changes nothing", () => {
    const before = readFileSync(POOL_FILE, "utf8");
    const output = execFileSync(process.execPath, ["scripts/patch-test-pool.mjs"], {
      encoding: "utf8",
    });
    expect(output).toBe("");
    expect(readFileSync(POOL_FILE, "utf8")).toBe(before);
  });
});
