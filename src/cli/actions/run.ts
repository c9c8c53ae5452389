// `infermon run`: options in ../runCommand.ts. Loads the agent (tap, exporters, OpenTelemetry SDK).
import { parseDuration } from "../../config/duration.js";
import { loadConfig } from "../../config/load.js";
import { createLogger } from "../../export/logger.js";
import { LOG } from "../../export/logMessages.js";
import { OtelEnvError } from "../../export/otelEnv.js";
import { redactUrl } from "../../export/redact.js";
import { createTracing, type Tracing } from "../../export/tracing.js";
import { redactedUrl } from "../../forward/forwarder.js";
import { ClientConfigError } from "../../forward/httpClient.js";
import { ProfileError } from "../../stats/profile.js";
import { Agent } from "../agent.js";
import { UsageError } from "../usageError.js";
import { VERSION } from "../version.js";

export async function runAction(opts: { config: string; grace: string }): Promise<void> {
  const graceMs = parseDuration(opts.grace);
  if (graceMs === undefined) throw new UsageError(`--grace: not a duration: ${opts.grace}`);
  const config = loadConfig(opts.config);
  const k = config.kafka;
  const consumesKafka = k && !k.publishPredictions && (k.topics.predictions || k.topics.labels);
  if (!config.tap && !config.ingest && !consumesKafka)
    throw new UsageError(
      `${opts.config}: nothing to run: configure tap:, ingest: and/or kafka: with topics to consume`,
    );
  const log = createLogger({
    level: config.logging.level,
    service: config.service,
    redactHeaders: config.logging.redactHeaders,
  });
  let agent: Agent;
  let tracing: Tracing;
  try {
    tracing = createTracing(config, { log, version: VERSION });
  } catch (err) {
    if (err instanceof OtelEnvError) throw new UsageError(err.message);
    throw err;
  }
  try {
    agent = new Agent(config, { logger: log, tracing });
  } catch (err) {
    await tracing.shutdown(0);
    if (err instanceof ProfileError || err instanceof ClientConfigError) throw new UsageError(err.message);
    throw err;
  }
  const addr = await agent.start();
  const where = (a?: { address: string; port: number }) => (a ? `${a.address}:${a.port}` : "off");
  log.info(
    {
      version: VERSION,
      tap: where(addr.tap),
      upstream: config.tap && redactUrl(config.tap.upstream),
      ingest: where(addr.ingest),
      kafka: consumesKafka ? k.topics : k?.publishPredictions ? "publishing" : "off",
      forward: config.forward ? redactedUrl(config.forward.url) : "off",
      metrics: where(addr.metrics),
      models: config.models.map((m) => m.name),
      ...tracing.summary,
    },
    LOG.agentStarted,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal, grace_ms: graceMs, in_flight: agent.tap?.requestsInFlight ?? 0 }, LOG.draining);
      agent.stop(graceMs).then(resolve, resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  log.info(LOG.stopped);
  log.flush();
  // a Kafka client still retrying an absent broker keeps timers alive for its whole retry
  // schedule (~40 s); everything is closed by now, so do not wait for it
  setTimeout(() => process.exit(), 1_000).unref();
}
