// `infermon demo`: options in ../demoCommand.ts; the demo itself is src/demo/runDemo.ts.
import { parseDuration } from "../../config/duration.js";
import { runDemo } from "../../demo/runDemo.js";
import type { DemoOptions } from "../demoCommand.js";
import { UsageError } from "../usageError.js";

function portOption(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag}: not a port: ${value}`);
  return n;
}

export async function demoAction(opts: DemoOptions): Promise<void> {
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
}
