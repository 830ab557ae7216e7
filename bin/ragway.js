#!/usr/bin/env node
// `ragway` (npx ragway ...): runs the TypeScript CLI in cli/ through tsx, so there is no build
// step to forget. tsx is installed by `npm install` with the repository's dev dependencies.
import process from "node:process";

let register;
try {
  ({ register } = await import("tsx/esm/api"));
} catch {
  process.stderr.write("ragway: tsx is missing; run `npm install` in the ragway folder first\n");
  process.exit(1);
}
register();
await import("../cli/ragway.ts");
