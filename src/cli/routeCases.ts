// The Alertmanager route cases that `generate` writes next to alerts/alertmanager.yaml, each fed
// to `amtool config routes test --verify.receivers` (`infermon routes-test`). promtool cannot read
// these cases, so they live outside alerts/tests/ and have their own runner.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { UsageError } from "./usageError.js";

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
