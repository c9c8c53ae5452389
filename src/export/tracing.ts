// The agent's tracing: the OpenTelemetry Node SDK with an OTLP gRPC span exporter, configured by the
// standard OTEL_* variables (checked first, otelEnv.ts) plus tracing.enabled / tracing.sample_ratio.
// No instrumentations are registered: spans come from the tap's and ingest's own seams
// (tapTracing.ts, analysisTracing.ts). Tracing off is a no-op: NO_TRACING's parts do nothing.
import { context, propagation, trace } from "@opentelemetry/api";
import { setGlobalErrorHandler } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import type { Config } from "../config/model.js";
import { NO_TRACING, type RequestTracer } from "../tap/requestTrace.js";
import { type AnalysisTracer, analysisTracer, NO_ANALYSIS_TRACING } from "./analysisTracing.js";
import { ExportWatch } from "./exportWatch.js";
import type { Logger } from "./logger.js";
import { LOG } from "./logMessages.js";
import { type OtelEnv, readOtelEnv } from "./otelEnv.js";
import { rootRatio, samplerFor } from "./sampler.js";
import { type TracedTarget, tapTracer } from "./tapTracing.js";

export interface Tracing {
  readonly enabled: boolean;
  /** the tap's spans */
  requests<T extends TracedTarget>(upstream: string): RequestTracer<T>;
  /** analysis spans linked to producers (CloudEvents, Kafka) */
  readonly analysis: AnalysisTracer;
  /** for the start-up log line */
  readonly summary: Record<string, unknown>;
  /** export what is queued and stop (SIGTERM); bounded by `timeoutMs` */
  shutdown(timeoutMs?: number): Promise<void>;
}

export const TRACING_OFF: Tracing = {
  enabled: false,
  requests: <T>() => NO_TRACING as RequestTracer<T>,
  analysis: NO_ANALYSIS_TRACING,
  summary: { tracing: "off" },
  shutdown: () => Promise.resolve(),
};

/** Kubernetes downward-API variables (docs/configuration.md shows the pod spec) → resource keys. */
const K8S_ENV: readonly [string, readonly string[]][] = [
  ["k8s.pod.name", ["K8S_POD_NAME", "POD_NAME"]],
  ["k8s.namespace.name", ["K8S_NAMESPACE_NAME", "POD_NAMESPACE"]],
  ["k8s.node.name", ["K8S_NODE_NAME", "NODE_NAME"]],
];

const DEFAULT_MAX_QUEUE = 2048;

/**
 * Tracing from the config and the environment. Throws OtelEnvError (a start-up error naming the
 * variable) when an OTEL_* value cannot be understood; returns TRACING_OFF when tracing is off.
 */
export function createTracing(
  config: Config,
  o: { env?: Readonly<Record<string, string | undefined>>; log: Logger; version: string },
): Tracing {
  const env = o.env ?? process.env;
  // checked even when tracing is off, so a typo is found before someone turns it on
  const otel: OtelEnv = readOtelEnv(env);
  if (!config.tracing.enabled || otel.disabled) return TRACING_OFF;

  const attrs: Record<string, string> = {
    [ATTR_SERVICE_NAME]: "infermon",
    [ATTR_SERVICE_VERSION]: o.version,
    "service.namespace": config.service,
  };
  for (const [key, names] of K8S_ENV) {
    const v = names.map((n) => env[n]?.trim()).find((x) => x);
    if (v) attrs[key] = v;
  }
  const maxQueueSize = Number(env.OTEL_BSP_MAX_QUEUE_SIZE?.trim() || DEFAULT_MAX_QUEUE);
  const exporter = new ExportWatch(new OTLPTraceExporter(), o.log, { endpoint: otel.endpoint, maxQueueSize });
  // the batch processor reports failed batches here; ExportWatch has already said it once
  setGlobalErrorHandler((err) => o.log.debug({ err: String(err) }, LOG.traceExportError));
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (envDetector) win over these
    resource: resourceFromAttributes(attrs),
    resourceDetectors: [envDetector],
    traceExporter: exporter,
    sampler: samplerFor(otel.sampler, config.tracing.sampleRatio),
    instrumentations: [],
    // traces only: no metric readers, no log exporters (both default to OTLP in the SDK)
    metricReaders: [],
    logRecordProcessors: [],
    textMapPropagator: null,
    // no context manager: the tap and ingest pass span contexts explicitly. The SDK's default
    // (AsyncLocalStorage) would put async hooks on every promise and callback of the process —
    // measured in bench/proxy/tracingCost.mjs: 12 µs CPU per request at ratio 0.1 with it
    contextManager: null as never,
  });
  sdk.start();
  const tracer = trace.getTracer("infermon", o.version);
  const tapRatio = rootRatio(otel.sampler, config.tracing.sampleRatio);
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    requests: <T extends TracedTarget>(upstream: string) => tapTracer<T>(tracer, upstream, tapRatio),
    analysis: analysisTracer(tracer),
    summary: {
      tracing: "on",
      otlp_endpoint: otel.endpoint,
      sampler: otel.sampler
        ? `${otel.sampler.name}${otel.sampler.name.endsWith("traceidratio") ? ` ${otel.sampler.ratio}` : ""} (OTEL_TRACES_SAMPLER)`
        : `parentbased_traceidratio ${config.tracing.sampleRatio} (tracing.sample_ratio)`,
      ...(otel.headerNames.length > 0 && { otlp_headers: otel.headerNames }),
    },
    shutdown(timeoutMs = 5000) {
      stopped ??= Promise.race([
        sdk.shutdown().catch((err: unknown) => {
          o.log.warn({ err: String(err) }, LOG.traceExportShutdownFailed);
        }),
        new Promise<void>((r) => setTimeout(r, timeoutMs).unref()),
      ]).then(() => {
        // release the globals, so another agent in the same process can register its own
        trace.disable();
        context.disable();
        propagation.disable();
      });
      return stopped;
    },
  };
}
