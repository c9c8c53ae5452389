// `infermon demo [--stack]`: its options; signals and the run are in actions/demo.ts, the demo itself in src/demo/runDemo.ts.
import type { Command } from "commander";

export interface DemoOptions {
  duration: string;
  rate: string;
  port: string;
  ingestPort: string;
  metricsPort: string;
  prometheusPort: string;
  alertmanagerPort: string;
  stack?: boolean;
  interval?: string;
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "the whole product on one machine: toy model, the agent's tap, traffic that drifts part-way, late labels, a live view judged by the generated alert rules (--stack: real Prometheus and Alertmanager too)",
    )
    .option("-d, --duration <duration>", "how long to run (drift is injected at 40%)", "60s")
    .option("--rate <n>", "requests per second (10 applicants each)", "20")
    .option(
      "--stack",
      "also run Prometheus and Alertmanager (when installed) with the generated rules and routes",
    )
    .option("--port <port>", "tap port on 127.0.0.1 (default: a free port)", "0")
    .option("--ingest-port <port>", "ingest (labels) port on 127.0.0.1 (default: a free port)", "0")
    .option("--metrics-port <port>", "metrics port on 127.0.0.1 (default: a free port)", "0")
    .option("--prometheus-port <port>", "with --stack: Prometheus port (default: a free port)", "0")
    .option("--alertmanager-port <port>", "with --stack: Alertmanager port (default: a free port)", "0")
    .option("--interval <duration>", "when stdout is not a terminal: one line every (default 5s)")
    .action(async (opts: DemoOptions) => {
      // implementations load when their command runs: `--help` stays fast
      const { demoAction } = await import("./actions/demo.js");
      await demoAction(opts);
    });
}
