import { resolve } from "node:path";
import { resolvePolicy, type SeverityOverrides, type SeverityPolicy } from "../generate/severity.js";
import { parseDuration } from "./duration.js";
import type { FeatureSpec } from "./featureSchema.js";
import {
  type Config,
  DEFAULT_DATA_QUALITY,
  DEFAULT_MIN_BAD_EVENTS,
  DEFAULT_NUMERIC_BINS,
  DEFAULT_PREDICTION_BINS,
  DEFAULT_SCORE_BINS,
  DEFAULT_STATISTIC,
  DEFAULT_TOP_K,
  type FeatureConfig,
  type HttpClientConfig,
  type ListenerLimits,
  type ModelConfig,
  type SloTarget,
} from "./model.js";
import type { ModelSpec } from "./modelSchema.js";
import { rolloutConfig, shadowConfig, variantsConfig } from "./rollout.js";
import type { ConfigSpec } from "./schema.js";
import { parseWindow, type WindowConfig } from "./window.js";

interface HttpClientSpec {
  authorization?: { type: string; credentials_file: string } | undefined;
  basic_auth?: { username: string; password_file: string } | undefined;
  tls_config?:
    | {
        ca_file?: string;
        cert_file?: string;
        key_file?: string;
        server_name?: string;
        insecure_skip_verify: boolean;
      }
    | undefined;
}

/** The client settings with file paths resolved against the config file's directory. */
function httpClient(h: HttpClientSpec, baseDir: string): HttpClientConfig {
  const path = (p: string) => resolve(baseDir, p);
  const t = h.tls_config;
  return {
    ...(h.authorization && {
      authorization: { type: h.authorization.type, credentialsFile: path(h.authorization.credentials_file) },
    }),
    ...(h.basic_auth && {
      basicAuth: { username: h.basic_auth.username, passwordFile: path(h.basic_auth.password_file) },
    }),
    ...(t && {
      tls: {
        insecureSkipVerify: t.insecure_skip_verify,
        ...(t.ca_file && { caFile: path(t.ca_file) }),
        ...(t.cert_file && { certFile: path(t.cert_file) }),
        ...(t.key_file && { keyFile: path(t.key_file) }),
        ...(t.server_name && { serverName: t.server_name }),
      },
    }),
  };
}

const ms = (d: string): number => parseDuration(d) as number; // validated by the schema

function feature(f: FeatureSpec, maxDistinct: number): FeatureConfig {
  const source = {
    ...(f.input !== undefined && { input: f.input }),
    ...(f.column !== undefined && { column: f.column }),
  };
  if (f.type === "categorical")
    return { name: f.name, type: "categorical", topK: f.top_k ?? DEFAULT_TOP_K, ...source };
  return f.edges
    ? {
        name: f.name,
        type: "numeric",
        bins: f.edges.length + 1,
        edges: [...f.edges],
        maxDistinctValues: 0,
        ...source,
      }
    : {
        name: f.name,
        type: "numeric",
        bins: f.bins ?? DEFAULT_NUMERIC_BINS,
        maxDistinctValues: f.max_distinct_values ?? maxDistinct,
        ...source,
      };
}

function slo(t: { objective: number; period: string } | undefined): SloTarget | undefined {
  return t && { objective: t.objective, period: t.period, periodMs: ms(t.period) };
}

function model(m: ModelSpec, baseDir: string, severity: SeverityOverrides | undefined): ModelConfig {
  const p = m.prediction === false ? undefined : m.prediction;
  const fixed = m.drift?.thresholds === "auto" ? undefined : m.drift?.thresholds;
  const out: ModelConfig = {
    name: m.name,
    version: m.version ?? "unknown",
    task: m.task,
    protocol: m.protocol,
    route: m.route ?? `/v2/models/${m.name}`,
    features: m.features.map((f) => feature(f, m.max_distinct_values)),
    prediction: {
      output: p?.output ?? "prediction",
      outputConfigured: p?.output !== undefined,
      monitored: m.prediction !== false,
      threshold: p?.threshold ?? 0.5,
      bins: p?.edges ? p.edges.length + 1 : (p?.bins ?? DEFAULT_PREDICTION_BINS),
      maxDistinctValues: p?.edges ? 0 : m.max_distinct_values,
      scoreBins: p?.score_bins ?? DEFAULT_SCORE_BINS,
      ...(p?.classes && { classes: p.classes }),
      ...(p?.edges && { edges: p.edges }),
    },
    windows: m.windows.map((w) => parseWindow(w) as WindowConfig), // validated by the schema
    minSamples: m.min_samples,
    dataQuality: {
      missing: m.data_quality?.missing ?? { ...DEFAULT_DATA_QUALITY.missing },
      invalid: m.data_quality?.invalid ?? { ...DEFAULT_DATA_QUALITY.invalid },
      unseen: m.data_quality?.unseen ?? { ...DEFAULT_DATA_QUALITY.unseen },
    },
    drift: {
      smoothing: m.drift?.smoothing ?? { method: "laplace", alpha: 0.5 },
      statistic: m.drift?.statistic ?? DEFAULT_STATISTIC,
      fixed: { ...fixed },
      // learned when some level is not fixed and the window sizes are known
      learn: m.drift?.expected_rate !== undefined && !(fixed?.psi && fixed.kl && fixed.js),
      ...(m.drift?.expected_rate !== undefined && { expectedRate: m.drift.expected_rate }),
      ...(m.drift?.for !== undefined && { for: m.drift.for }),
    },
    labels: {
      ttlMs: ms(m.labels?.ttl ?? "24h"),
      maxPending: m.labels?.max_pending ?? 1_000_000,
      maxPendingPerSource: m.labels?.max_pending_per_source ?? m.labels?.max_pending ?? 1_000_000,
      onConflict: m.labels?.on_conflict ?? "reject_conflicts",
      expectedDelayMs: ms(m.labels?.expected_delay ?? m.labels?.ttl ?? "24h"),
      configured: m.labels !== undefined,
      ...(m.labels?.target !== undefined && { target: m.labels.target }),
      ...(m.labels?.tolerance && {
        tolerance: { absolute: m.labels.tolerance.absolute ?? 0, relative: m.labels.tolerance.relative ?? 0 },
      }),
    },
    quality: { ...m.quality },
    slo: { minBadEvents: m.slo?.min_bad_events ?? DEFAULT_MIN_BAD_EVENTS },
    severity: {} as SeverityPolicy,
  };
  if (m.json) out.json = m.json;
  if (m.reference) out.reference = resolve(baseDir, m.reference);
  if (m.owner) out.owner = m.owner;
  if (m.shadow) out.shadow = shadowConfig(m.shadow);
  if (m.variants) out.variants = variantsConfig(m.variants, m.min_samples);
  if (m.rollout) out.rollout = rolloutConfig(m.rollout, m.min_samples);
  const availability = slo(m.slo?.availability);
  const correctness = slo(m.slo?.correctness);
  const latency = m.slo?.latency;
  if (availability) out.slo.availability = availability;
  if (correctness) out.slo.correctness = correctness;
  if (latency) out.slo.latency = { ...(slo(latency) as SloTarget), threshold: latency.threshold };
  // after labels, quality and slo: a default may depend on them (prediction drift without labels pages)
  out.severity = resolvePolicy(out, severity, m.severity);
  return out;
}

function limits(l: { read_timeout: string; idle_timeout: string; max_connections: number }): ListenerLimits {
  return {
    readTimeoutMs: ms(l.read_timeout),
    idleTimeoutMs: ms(l.idle_timeout),
    maxConnections: l.max_connections,
  };
}

export function normalize(spec: ConfigSpec, source: string, baseDir: string): Config {
  const c: Config = {
    source,
    service: spec.service,
    models: spec.models.map((m) => model(m, baseDir, spec.alerting?.severity)),
    metrics: {
      listen: spec.metrics.listen,
      ...limits(spec.metrics),
      ...(spec.metrics.web_config_file && { webConfigFile: resolve(baseDir, spec.metrics.web_config_file) }),
    },
    limits: { maxBufferedBytes: spec.limits.max_buffered_bytes },
    tracing: { enabled: spec.tracing.enabled, sampleRatio: spec.tracing.sample_ratio },
    logging: {
      level: spec.logging.level,
      logPayloads: spec.logging.log_payloads,
      redactHeaders: spec.logging.redact_headers.map((h) => h.toLowerCase()),
    },
    deploy: {
      namespace: spec.deploy.namespace,
      ...(spec.deploy.image && { image: spec.deploy.image }),
      monitoring: {
        namespace: spec.deploy.monitoring.namespace ?? spec.deploy.namespace,
        labels: spec.deploy.monitoring.labels,
      },
      dashboards: { labels: spec.deploy.dashboards.labels },
      model: {
        image: spec.deploy.model.image,
        ...(spec.deploy.model.port !== undefined && { port: spec.deploy.model.port }),
      },
      aggregator: {
        minReplicas: spec.deploy.aggregator.min_replicas,
        maxReplicas: spec.deploy.aggregator.max_replicas,
      },
    },
    alerting: {
      owners: spec.alerting?.owners ?? {},
      defaultReceiver: spec.alerting?.default_receiver ?? "default",
      severity: resolvePolicy(undefined, spec.alerting?.severity),
      ...(spec.alerting?.runbook_base_url && { runbookBaseUrl: spec.alerting.runbook_base_url }),
      ...(spec.alerting?.grafana_url && { grafanaUrl: spec.alerting.grafana_url }),
    },
  };
  if (spec.state)
    c.state = { file: resolve(baseDir, spec.state.file), heartbeatMs: ms(spec.state.heartbeat) };
  if (spec.tap) {
    c.tap = {
      listen: spec.tap.listen,
      upstream: spec.tap.upstream,
      maxBodyBytes: spec.tap.max_body_bytes,
      queueSize: spec.tap.queue_size,
      timeoutMs: ms(spec.tap.timeout),
      ...limits(spec.tap),
    };
  }
  if (spec.ingest)
    c.ingest = {
      listen: spec.ingest.listen,
      ...limits(spec.ingest),
      ...(spec.ingest.web_config_file && { webConfigFile: resolve(baseDir, spec.ingest.web_config_file) }),
    };
  if (spec.forward) {
    const f = spec.forward;
    c.forward = {
      url: f.url.replace(/\/+$/, ""),
      queueSize: f.queue_size,
      batchSize: f.batch_size,
      flushIntervalMs: ms(f.flush_interval),
      timeoutMs: ms(f.timeout),
      ...httpClient(f, baseDir),
    };
  }
  if (spec.kafka) {
    c.kafka = {
      brokers: spec.kafka.brokers,
      groupId: spec.kafka.group_id,
      topics: spec.kafka.topics,
      publishPredictions: spec.kafka.publish_predictions,
    };
    const sasl = spec.kafka.sasl;
    if (sasl)
      c.kafka.sasl = {
        mechanism: sasl.mechanism,
        username: sasl.username,
        passwordFile: resolve(baseDir, sasl.password_file),
      };
    const t = spec.kafka.tls_config;
    if (t)
      c.kafka.tls = {
        insecureSkipVerify: t.insecure_skip_verify,
        ...(t.ca_file && { caFile: resolve(baseDir, t.ca_file) }),
        ...(t.cert_file && { certFile: resolve(baseDir, t.cert_file) }),
        ...(t.key_file && { keyFile: resolve(baseDir, t.key_file) }),
        ...(t.server_name && { serverName: t.server_name }),
      };
  }
  return c;
}
