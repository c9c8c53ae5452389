// Real peers (promtool, nginx, wrk): a test that needs one skips when it is missing locally and
// fails when CI is set (the CI installs them with .ci/install-peers.sh).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

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

/** Binaries cached in ~/.cache/infermon/bin, and the script that puts each there. */
const CACHED_TOOLS = {
  kubeconform: ".ci/build-go-tools.sh",
  helm: ".ci/build-go-tools.sh",
  actionlint: ".ci/build-go-tools.sh",
  hadolint: ".ci/install-hadolint.sh",
} as const;
export type CachedTool = keyof typeof CACHED_TOOLS;

/** A tool .ci/build-go-tools.sh builds (kubeconform, helm, actionlint) or .ci/install-hadolint.sh installs. */
export function goToolPath(name: CachedTool): string {
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache");
  return join(cache, "infermon", "bin", name);
}

/** True when the cached Go tool exists; false (skip) locally; throws when CI is set and it is missing. */
export function requireGoTool(name: CachedTool): boolean {
  if (existsSync(goToolPath(name))) return true;
  if (process.env.CI)
    throw new Error(
      `${name} is required in CI but ${goToolPath(name)} is missing (bash ${CACHED_TOOLS[name]})`,
    );
  return false;
}
