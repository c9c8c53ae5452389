// Real peers (promtool, nginx, wrk): a test that needs one skips when it is missing locally and
// fails when CI is set (the CI installs them with .ci/install-peers.sh).
import { spawnSync } from "node:child_process";

export function hasTool(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

/** True when `name` is on PATH; false (skip) locally; throws when CI is set and it is missing. */
export function requireTool(name: string): boolean {
  if (hasTool(name)) return true;
  if (process.env.CI)
    throw new Error(`${name} is required in CI but is not installed (.ci/install-peers.sh)`);
  return false;
}
