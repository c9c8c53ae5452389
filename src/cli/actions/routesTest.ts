// `infermon routes-test`: options in ../routesTestCommand.ts.
import { EXIT } from "../exitCodes.js";
import { type RouteCaseResult, runRouteCases } from "../routeCases.js";
import { UsageError } from "../usageError.js";

export async function routesTestAction(file: string, opts: { amtool: string }): Promise<void> {
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
}
