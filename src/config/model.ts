// The internal model every part of infermon reads: the validated spec with defaults applied,
// durations in milliseconds and paths resolved. Built once by `loadConfig`.
import type { WindowConfig } from "./window.js";

export type { WindowConfig } from "./window.js";

import type { SeverityPolicy } from "../generate/severity.js";

import type { RolloutConfig, ShadowConfig, VariantsConfig } from "./rollout.js";

export type { RolloutConfig, ShadowConfig, VariantsConfig } from "./rollout.js";
export type Task = "binary_classification" | "multiclass_classification" | "regression";
export type Protocol = "open-inference-v2" | "tf-serving" | "json" | "openai-chat";
export type Level = "ok" | "warning" | "critical";

export interface Levels {
  warning: number;
  critical: number;
}

export type Statistic = "psi" | "kl" | "js";
export type StatLevels = Record<Statistic, Levels>;
/** window name → feature name (or PREDICTION_KEY) → levels per statistic */
export type LearnedLevels = Record<string, Record<string, StatLevels>>;
/** Key of the prediction's levels beside the features' (not a valid feature name in practice). */
export const PREDICTION_KEY = "__prediction__";

export type Smoothing = { method: "laplace"; alpha: number } | { method: "epsilon"; epsilon: number };

export type FeatureConfig =
  | ({
      name: string;
      type: "numeric";
      bins: number;
      edges?: number[];
      /** at most this many distinct reference values: one bin per value (0: never) */
      maxDistinctValues: number;
    } & FeatureSource)
  | ({ name: string; type: "categorical"; topK: number } & FeatureSource);

/** Where a feature is read in a request (`input:`, `column:`); both absent: the input named like it. */
export interface FeatureSource {
  /** the input (tensor) name, when it differs from the feature's name */
  input?: string;
  /** 0-based index in the input's last dimension (a column of an [n,k] tensor) */
  column?: number;
}

export interface PredictionConfig {
  output: string;
  /** `prediction.output` was given: never replaced by another output */
  outputConfigured: boolean;
  /** false with `prediction: false`: the model has no prediction to monitor */
  monitored: boolean;
  threshold: number;
  classes?: string[];
  /** numeric prediction binning (scores, regression values) */
  bins: number;
  edges?: number[];
  /** at most this many distinct reference values: one bin per value (the model's setting) */
  maxDistinctValues: number;
  /** classification: bins of each class's score (ROC AUC, CBPE); quantiles of the reference */
  scoreBins: number;
}

/** Shares of rows (batch) or events (live) above which a data-quality problem warns or is critical. */
export interface DataQuality {
  missing: Levels;
  invalid: Levels;
  unseen: Levels;
}

export interface SloTarget {
  objective: number;
  periodMs: number;
  period: string;
}

export interface ModelConfig {
  name: string;
  version: string;
  task: Task;
  protocol: Protocol;
  route: string;
  json?: { id?: string; features: string; prediction?: string };
  features: FeatureConfig[];
  prediction: PredictionConfig;
  /** absolute path of the reference profile, when configured */
  reference?: string;
  /** sliding windows by time or by count (window.ts); at least one by time */
  windows: WindowConfig[];
  minSamples: number;
  dataQuality: DataQuality;
  drift: {
    smoothing: Smoothing;
    /** the statistic that sets a feature's status and alerts (the others are shown, not judged) */
    statistic: Statistic;
    /** configured fixed levels; a statistic without them follows learned or sample-size levels */
    fixed: Partial<StatLevels>;
    /**
     * levels learned by bootstrap from the reference (profile.thresholds): thresholds not fixed
     * and `expected_rate` known; otherwise unfixed levels follow each window's sample size
     */
    learn: boolean;
    /** requests per second the model usually sees (sizes the bootstrap windows) */
    expectedRate?: number;
    /** `for:` of the drift alerts; derived from the window when absent */
    for?: string;
    /** per window name, per feature (the prediction under PREDICTION_KEY): learned levels, filled from the profile */
    learned?: LearnedLevels;
  };
  labels: {
    ttlMs: number;
    maxPending: number;
    /** entries one source (a sender, the tap, Kafka) may hold at most; fair eviction past max_pending */
    maxPendingPerSource: number;
    /** what a second, different label for an id does */
    onConflict: "first" | "last" | "reject_conflicts";
    /** how long labels usually take (labels.expected_delay, default the ttl): the labels-not-arriving window */
    expectedDelayMs: number;
    /** the model has a `labels:` block: it expects labels even without quality thresholds or a correctness SLO */
    configured: boolean;
    /** the column of training and batch data files holding the ground truth (labels.target) */
    target?: string;
    /**
     * regression: a join counts correct when |prediction − truth| ≤ absolute + relative × |truth|
     * (labels.tolerance, as numpy.isclose); absent: regression joins are not in the correctness SLI
     */
    tolerance?: { absolute: number; relative: number };
  };
  /** `for`: of the quality alerts (default 30m) */
  quality: { accuracy?: Levels; mae?: Levels; for?: string };
  slo: {
    /** bad events the long window must hold before a burn-rate alert fires */
    minBadEvents: number;
    availability?: SloTarget;
    latency?: SloTarget & { threshold: number };
    correctness?: SloTarget;
  };
  owner?: string;
  /** urgency of each alert concern: models[].severity over alerting.severity over the defaults */
  severity: SeverityPolicy;
  /** replay a share of the model's requests to a candidate and compare (models[].shadow) */
  shadow?: ShadowConfig;
  /** A/B variants: every event gets one of these names, or `other` (models[].variants) */
  variants?: VariantsConfig;
  /** canary gates for Argo Rollouts and Flagger (models[].rollout) */
  rollout?: RolloutConfig;
}

/** What a listener allows a connection (tap, ingest, metrics). */
export interface ListenerLimits {
  /** a request's headers and body must have arrived within this */
  readTimeoutMs: number;
  /** a keep-alive connection with no request for this long is closed */
  idleTimeoutMs: number;
  /** connections open at once; more are closed at accept */
  maxConnections: number;
}

/** An outgoing HTTP client (Prometheus' HTTP client config shape); file paths are absolute. */
export interface HttpClientConfig {
  authorization?: { type: string; credentialsFile: string };
  basicAuth?: { username: string; passwordFile: string };
  tls?: {
    caFile?: string;
    certFile?: string;
    keyFile?: string;
    serverName?: string;
    insecureSkipVerify: boolean;
  };
}

export interface DeployConfig {
  namespace: string;
  /** the agent image; default ghcr.io/infermon/infermon:<version> */
  image?: string;
  monitoring: { namespace: string; labels: Record<string, string> };
  dashboards: { labels: Record<string, string> };
  /** the sidecar example's model server */
  model: { image: string; port?: number };
  aggregator: { minReplicas: number; maxReplicas: number };
}

export interface ForwardConfig extends HttpClientConfig {
  /** base URL of the joining agent's ingest */
  url: string;
  queueSize: number;
  batchSize: number;
  flushIntervalMs: number;
  timeoutMs: number;
}

export interface Config {
  /** the file it came from, for messages */
  source: string;
  /** the configuration as written (YAML data), for the agent configs `generate` derives from it */
  document?: Record<string, unknown>;
  service: string;
  models: ModelConfig[];
  tap?: {
    listen: string;
    upstream: string;
    maxBodyBytes: number;
    queueSize: number;
    timeoutMs: number;
  } & ListenerLimits;
  /** webConfigFile: absolute path of ingest.web_config_file (TLS, who may send what) */
  ingest?: { listen: string; webConfigFile?: string } & ListenerLimits;
  kafka?: {
    brokers: string[];
    groupId: string;
    topics: { predictions?: string; labels?: string };
    publishPredictions: boolean;
    /** SASL; the password is read from passwordFile (absolute) */
    sasl?: { mechanism: "plain" | "scram-sha-256" | "scram-sha-512"; username: string; passwordFile: string };
    /** TLS to the brokers (files absolute); present: TLS on */
    tls?: {
      caFile?: string;
      certFile?: string;
      keyFile?: string;
      serverName?: string;
      insecureSkipVerify: boolean;
    };
  };
  metrics: { listen: string; webConfigFile?: string } & ListenerLimits;
  limits: { maxBufferedBytes: number };
  /** state.file (absolute): the label join saved on SIGTERM, read at start */
  state?: { file: string; heartbeatMs: number };
  /** `forward:`: analysed predictions go to another agent's label join (POST /v1/predictions) */
  forward?: ForwardConfig;
  tracing: { enabled: boolean; sampleRatio: number };
  /** redactHeaders: header names redacted in logs besides the built-in ones (lower case) */
  logging: { level: string; logPayloads: boolean; redactHeaders?: string[] };
  /** deploy/kubernetes/ (generate only) */
  deploy: DeployConfig;
  alerting: {
    runbookBaseUrl?: string;
    grafanaUrl?: string;
    owners: Record<string, { page: string; ticket: string }>;
    defaultReceiver: string;
    /** the policy of rules that belong to no model (alerting.severity over the defaults) */
    severity: SeverityPolicy;
  };
}

/** The statistic that sets status and alerts unless `drift.statistic` says otherwise. */
export const DEFAULT_STATISTIC: Statistic = "js";
/**
 * Burn-rate alerts fire only when the long window holds at least this many bad events: chosen
 * from the simulation in bench/alert-quality (docs/adr/0008-alert-quality.md).
 */
export const DEFAULT_MIN_BAD_EVENTS = 4;
/** Data-quality shares (the generator's former constant 5 % warns; a fifth of rows is critical). */
export const DEFAULT_DATA_QUALITY = {
  missing: { warning: 0.05, critical: 0.2 },
  invalid: { warning: 0.05, critical: 0.2 },
  unseen: { warning: 0.05, critical: 0.2 },
} as const;
/** Numeric features with at most this many distinct reference values are binned per value. */
export const DEFAULT_MAX_DISTINCT_VALUES = 20;
export const DEFAULT_NUMERIC_BINS = 10;
export const DEFAULT_TOP_K = 20;
export const DEFAULT_PREDICTION_BINS = 10;
/** Score bins per class (ROC AUC, CBPE): the AUC's bin error is at most ½ Σ pos_b·neg_b / (P·N). */
export const DEFAULT_SCORE_BINS = 50;

export type TapConfig = NonNullable<Config["tap"]>;
export type IngestConfig = NonNullable<Config["ingest"]>;
export type KafkaConfig = NonNullable<Config["kafka"]>;
