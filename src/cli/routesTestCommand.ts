// `infermon routes-test`: checks the generated Alertmanager route cases with amtool (routeCases.ts).
import type { Command } from "commander";
import { PATHS } from "../generate/conventions.js";

/** Where `infermon generate` writes the cases, relative to its output directory. */
export const ROUTE_CASES_FILE = PATHS.routeCases;

export function registerRoutesTest(program: Command): void {
  program
    .command("routes-test")
    .description(
      "check that alerts route to the expected receivers: feeds each case of the generated route-cases file to `amtool config routes test`; exit 1 when a case fails",
    )
    .argument("[file]", "route cases written by `infermon generate`", ROUTE_CASES_FILE)
    .option("--amtool <path>", "amtool binary", "amtool")
    .action(async (file: string, opts: { amtool: string }) => {
      // implementations load when their command runs: `--help` stays fast
      const { routesTestAction } = await import("./actions/routesTest.js");
      await routesTestAction(file, opts);
    });
}
