// npm's `prepare` hook: builds dist/ with tsc when the dev dependencies are installed (a clone's
// `npm ci`, `npm pack`), and does nothing in a production install (`npm ci --omit=dev`, the agent
// image), where dist/ comes prebuilt. A missing TypeScript is then expected, not an error.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve("typescript/bin/tsc");
} catch {
  console.log("prepare: TypeScript is not installed (production install): dist/ is used as shipped");
  process.exit(0);
}
const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
process.exit(r.status ?? 1);
