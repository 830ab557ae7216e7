// postinstall: applies to the pinned @cloudflare/vitest-pool-workers 0.15.1 the fix of its
// wrapper classes (cloudflare/workers-sdk#15092; the releases that carry it need wrangler 4.87+,
// which needs Node 22). Each wrapper class wrapped its prototype in one more Proxy on every
// construction: every request through `exports.default.fetch` and every Durable Object instance.
// A property read then walked one Proxy per earlier request of the test file, so a file's run
// time grew with the square of its requests (rate-limits.test.ts: 284 s before, 17 s after).
// The fix installs the Proxy once per class. Drop this script when the pool is upgraded.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { stderr, stdout } from "node:process";
import { fileURLToPath } from "node:url";

const POOL_FILE =
  "node_modules/@cloudflare/vitest-pool-workers/dist/worker/lib/cloudflare/test-internal.mjs";

const BEFORE =
  "function createProxyPrototypeClass(superClass, getUnknownPrototypeKey) {\n" +
  "\tfunction Class(...args) {\n" +
  "\t\tClass.prototype = new Proxy(Class.prototype, {";
const AFTER =
  "function createProxyPrototypeClass(superClass, getUnknownPrototypeKey) {\n" +
  "\tlet proxiedPrototype;\n" +
  "\tfunction Class(...args) {\n" +
  "\t\tClass.prototype = proxiedPrototype ??= new Proxy(Class.prototype, {";

const file = join(dirname(fileURLToPath(import.meta.url)), "..", POOL_FILE);
// An install without the development dependencies has nothing to patch.
if (existsSync(file)) {
  const source = readFileSync(file, "utf8");
  if (source.includes(AFTER)) {
    // Applied by an earlier install.
  } else if (source.split(BEFORE).length === 2) {
    writeFileSync(file, source.replace(BEFORE, AFTER));
    stdout.write("patch-test-pool: vitest-pool-workers wrapper prototypes are proxied once\n");
  } else {
    stderr.write(
      "patch-test-pool: vitest-pool-workers changed; check whether its wrapper classes still " +
        "re-wrap their prototype on every construction (scripts/patch-test-pool.mjs)\n",
    );
  }
}
