import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The timeout of a test that runs the CLI `spawns` times: one run can take 10–30 s on a loaded
 * 2-core machine (Node start, module load, DuckDB), far past vitest's default, so such a test says
 * how long it may take rather than the global timeout being raised for every test.
 */
export const cliTimeout = (spawns: number): number => spawns * 60_000;

/** Run the built `infermon` (npm test builds it first). */
export function infermon(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build`);
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: "utf8",
    timeout: 120_000,
    ...(opts.env && { env: opts.env }),
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `infermon drift` argv for the example credit model against its committed profile. */
export const creditDriftArgs = (current: string, ...more: string[]): string[] => [
  "drift",
  "-c",
  "examples/infermon.yaml",
  "-m",
  "credit",
  "--reference",
  "examples/reference/credit.json",
  "--current",
  current,
  ...more,
];
