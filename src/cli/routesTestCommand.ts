// `infermon routes-test`: the Alertmanager route cases that `generate` writes next to
// alerts/alertmanager.yaml, each fed to `amtool config routes test --verify.receivers`. promtool
// cannot read these cases, so they live outside alerts/tests/ and have their own runner.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { parse } from "yaml";
import { z } from "zod";
import { PATHS } from "../generate/conventions.js";
import { EXIT } from "./exitCodes.js";
import { UsageError } from "./usageError.js";

/** Where `infermon generate` writes the cases, relative to its output directory. */
export const ROUTE_CASES_FILE = PATHS.routeCases;

const casesFile = z.strictObject({
  /** the Alertmanager config under test, relative to the cases file */
  config: z.string().min(1),
  cases: z
    .array(z.strictObject({ labels: z.record(z.string(), z.string()), receiver: z.string().min(1) }))
    .min(1),
});

export interface RouteCaseResult {
  labels: Record<string, string>;
  receiver: string;
  ok: boolean;
  /** what amtool printed (the receivers it resolved) */
  output: string;
}

/** Reads a cases file; a missing or malformed file is a UsageError naming it. */
export function readRouteCases(file: string): { config: string; cases: z.infer<typeof casesFile>["cases"] } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const r = casesFile.safeParse(parse(text));
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new UsageError(`${file}: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  return { config: resolve(dirname(file), r.data.config), cases: r.data.cases };
}

/** Runs every case through amtool; rejects only when amtool cannot be started. */
export async function runRouteCases(file: string, amtool = "amtool"): Promise<RouteCaseResult[]> {
  const { config, cases } = readRouteCases(file);
  return Promise.all(
    cases.map(
      (c) =>
        new Promise<RouteCaseResult>((done, fail) => {
          const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
          execFile(
            amtool,
            [
              "config",
              "routes",
              "test",
              `--config.file=${config}`,
              `--verify.receivers=${c.receiver}`,
              ...labels,
            ],
            { encoding: "utf8" },
            (err, stdout, stderr) => {
              if (err && typeof err.code === "string") {
                fail(new Error(`cannot run ${amtool}: ${err.code} (install prometheus-alertmanager)`));
                return;
              }
              done({ ...c, ok: !err, output: `${stdout}${stderr}`.trim() });
            },
          );
        }),
    ),
  );
}

export function registerRoutesTest(program: Command): void {
  program
    .command("routes-test")
    .description(
      "check that alerts route to the expected receivers: feeds each case of the generated route-cases file to `amtool config routes test`; exit 1 when a case fails",
    )
    .argument("[file]", "route cases written by `infermon generate`", ROUTE_CASES_FILE)
    .option("--amtool <path>", "amtool binary", "amtool")
    .action(async (file: string, opts: { amtool: string }) => {
      let results: RouteCaseResult[];
      try {
        results = await runRouteCases(file, opts.amtool);
      } catch (err) {
        if (err instanceof UsageError) throw err;
        process.stderr.write(`infermon: ${(err as Error).message}\n`);
        process.exitCode = EXIT.runtime;
        return;
      }
      let failed = 0;
      for (const r of results) {
        const labels = Object.entries(r.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ");
        if (r.ok) process.stdout.write(`ok    ${labels} → ${r.receiver}\n`);
        else {
          failed++;
          process.stdout.write(
            `FAIL  ${labels}: expected ${r.receiver}, amtool says: ${r.output.replaceAll("\n", " ")}\n`,
          );
        }
      }
      process.stdout.write(`${results.length - failed} of ${results.length} route cases pass\n`);
      if (failed > 0) process.exitCode = EXIT.threshold;
    });
}
