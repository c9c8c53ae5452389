import { spawnSync } from "node:child_process";

/**
 * Whether a peer tool is on PATH. When it is missing and CI is set, throws: a test that needs a
 * real peer fails in CI instead of silently skipping (shared/design.md, "Real peers in tests").
 */
export function requireTool(name: string): boolean {
  const found = spawnSync(name, ["--version"], { stdio: "ignore" }).error === undefined;
  if (!found && process.env.CI)
    throw new Error(`${name} is required when CI is set (run .ci/install-peers.sh)`);
  return found;
}
