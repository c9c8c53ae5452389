// `infermon demo [--stack]`: options and signals; the demo itself is src/demo/runDemo.ts.
import type { Command } from "commander";
import { parseDuration } from "../config/duration.js";
import { runDemo } from "../demo/runDemo.js";
import { UsageError } from "./usageError.js";

interface Options {
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

function portOption(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag}: not a port: ${value}`);
  return n;
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
    .action(async (opts: Options) => {
      const durationMs = parseDuration(opts.duration);
      if (durationMs === undefined || durationMs <= 0)
        throw new UsageError(`--duration: not a duration: ${opts.duration}`);
      const intervalMs = opts.interval === undefined ? undefined : parseDuration(opts.interval);
      if (opts.interval !== undefined && !(intervalMs && intervalMs > 0))
        throw new UsageError(`--interval: not a duration: ${opts.interval}`);
      const rate = Number(opts.rate);
      if (!(rate > 0 && rate <= 1000)) throw new UsageError(`--rate: must be in (0, 1000]: ${opts.rate}`);
      const ports = {
        tap: portOption("--port", opts.port),
        ingest: portOption("--ingest-port", opts.ingestPort),
        metrics: portOption("--metrics-port", opts.metricsPort),
        prometheus: portOption("--prometheus-port", opts.prometheusPort),
        alertmanager: portOption("--alertmanager-port", opts.alertmanagerPort),
      };
      // Ctrl-C (or SIGTERM) ends the run early: every part is stopped, the summary printed; a
      // second Ctrl-C does not wait for that
      const stop = new AbortController();
      const onSignal = (sig: NodeJS.Signals) => {
        if (stop.signal.aborted) process.exit(130);
        process.exitCode = sig === "SIGINT" ? 130 : 143;
        stop.abort();
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      try {
        await runDemo({
          durationMs,
          rate,
          ports,
          stack: opts.stack === true,
          ...(intervalMs !== undefined && { intervalMs }),
          signal: stop.signal,
        });
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    });
}
