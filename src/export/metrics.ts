// Every metric the agent exports (docs/metrics.md's catalog), on a Registry of its own — never
// prom-client's global one, so two agents (or tests) in one process do not share state.
import { collectDefaultMetrics, Registry } from "prom-client";
import { DEFAULT_LATENCY_BUCKETS } from "../config/latencyBuckets.js";
import { BoundHistogram, BoundCounter as Counter, BoundGauge as Gauge } from "./boundMetrics.js";
import { DriftStderrMetrics } from "./driftStderrMetrics.js";
import { QualityMetrics } from "./qualityMetrics.js";
import { ShadowMetrics } from "./shadowMetrics.js";
import { VariantMetrics } from "./variantMetrics.js";

const SCORE_BUCKETS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1];

/** prom-client's default buckets, when no regression profile gives better ones */
const DEFAULT_VALUE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const M = ["model", "model_version"] as const;

export interface MetricsOptions {
  version: string;
  /** bucket bounds of infermon_inference_request_duration_seconds: `latencyBuckets(config)` */
  latencyBuckets?: readonly number[];
  /** bucket bounds of infermon_prediction_value (regression); from the reference profiles */
  valueBuckets?: number[];
  /** bucket bounds of infermon_label_delay_seconds (default: a second to a week, plus the ttls) */
  labelDelayBuckets?: number[];
  /** process_* and nodejs_* metrics (default on) */
  processMetrics?: boolean;
}

export class AgentMetrics {
  readonly registry = new Registry();

  readonly requests: Counter<"model" | "model_version" | "code">;
  readonly requestDuration: BoundHistogram<"model" | "model_version">;
  readonly events: Counter<"model" | "source">;
  readonly dropped: Counter<"reason">;
  readonly parseErrors: Counter<"model" | "reason">;
  readonly predictionReadErrors: Counter<"model" | "reason">;
  readonly ignored: Counter<"reason">;
  readonly pairConflicts: Counter<never>;
  readonly queueDepth: Gauge;
  /** requests and connections a listener refused, by reason (listenerLimits.ts) */
  readonly listenerRejected: Counter<"listener" | "reason">;
  /** bytes of bodies and copies held now (limits.max_buffered_bytes) */
  readonly bufferedBytes: Gauge;

  readonly featurePsi: Gauge<"model" | "model_version" | "feature" | "window">;
  readonly featureKl: Gauge<"model" | "model_version" | "feature" | "window">;
  readonly featureJs: Gauge<"model" | "model_version" | "feature" | "window">;
  readonly binObservations: Counter<"model" | "model_version" | "feature" | "bin">;
  readonly referenceRatio: Gauge<"model" | "model_version" | "feature" | "bin">;
  readonly referenceObservations: Gauge<"model" | "model_version" | "feature">;
  readonly featureMissing: Counter<"model" | "model_version" | "feature">;
  readonly featureInvalid: Counter<"model" | "model_version" | "feature">;
  readonly featureUnseen: Counter<"model" | "model_version" | "feature">;
  readonly failedRequestValues: Counter<"model" | "model_version" | "feature" | "quality">;
  readonly windowSamples: Gauge<"model" | "model_version" | "window">;
  readonly predictionPsi: Gauge<"model" | "model_version" | "window">;
  readonly predictionKl: Gauge<"model" | "model_version" | "window">;
  readonly predictionJs: Gauge<"model" | "model_version" | "window">;
  readonly predictionLevel: Gauge<"model" | "model_version" | "window" | "statistic" | "level">;
  readonly predictionScore: BoundHistogram<"model" | "model_version">;
  readonly predictionValue: BoundHistogram<"model" | "model_version">;
  readonly predictions: Counter<"model" | "model_version" | "class">;

  /** standard errors of the drift gauges */
  readonly driftStderr: DriftStderrMetrics;
  /** label join and model quality (src/labels/) */
  readonly quality: QualityMetrics;
  /** A/B variants (src/variants/) */
  readonly variants: VariantMetrics;
  /** the shadow replayer (src/agent/shadowPart.ts) */
  readonly shadow: ShadowMetrics;

  readonly llmTokens: Counter<"model" | "type">;
  readonly llmFinishReasons: Counter<"model" | "reason">;

  constructor(opts: MetricsOptions) {
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Counter<L>(name, help, labelNames, this.registry);
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Gauge<L>({ name, help, labelNames, registers });
    const F = [...M, "feature"] as const;
    const FW = [...F, "window"] as const;
    const MW = [...M, "window"] as const;

    this.requests = counter("infermon_inference_requests_total", "Requests seen by the tap or ingest.", [
      ...M,
      "code",
    ]);
    this.requestDuration = new BoundHistogram(
      "infermon_inference_request_duration_seconds",
      "Upstream latency seen by the tap.",
      M,
      [...(opts.latencyBuckets ?? DEFAULT_LATENCY_BUCKETS)],
      this.registry,
    );
    this.events = counter("infermon_events_total", "Inference events analysed.", ["model", "source"]);
    this.dropped = counter("infermon_events_dropped_total", "Copies not analysed.", ["reason"]);
    this.parseErrors = counter(
      "infermon_parse_errors_total",
      "Bodies that could not be read as the model's protocol.",
      ["model", "reason"],
    );
    this.predictionReadErrors = counter(
      "infermon_prediction_read_errors_total",
      "Predictions not read as configured (output absent, labels where scores are expected or the reverse); the event's features are still analysed.",
      ["model", "reason"],
    );
    this.ignored = counter(
      "infermon_events_ignored_total",
      "Logger events with nothing to analyse (health checks with empty bodies); not errors.",
      ["reason"],
    );
    this.pairConflicts = counter(
      "infermon_pairing_conflicts_total",
      "CloudEvent halves whose id was waiting for a different model (never paired across models).",
      [],
    );
    this.queueDepth = gauge("infermon_queue_depth", "Events waiting for analysis.", []);
    this.listenerRejected = counter(
      "infermon_listener_rejected_total",
      "Connections and requests a listener refused, by listener (tap, ingest, metrics) and reason.",
      ["listener", "reason"],
    );
    this.bufferedBytes = gauge(
      "infermon_buffered_bytes",
      "Bytes of request bodies and copies held in memory now (at most limits.max_buffered_bytes).",
      [],
    );
    this.featurePsi = gauge("infermon_feature_psi", "Population stability index of a feature.", FW);
    this.driftStderr = new DriftStderrMetrics(this.registry);
    this.featureKl = gauge("infermon_feature_kl_divergence", "KL(current || reference) of a feature.", FW);
    this.featureJs = gauge(
      "infermon_feature_js_distance",
      "Jensen-Shannon distance (base 2) of a feature.",
      FW,
    );
    this.binObservations = counter(
      "infermon_feature_bin_observations_total",
      "Live observations per feature bin (mergeable, for fleet-wide drift).",
      [...F, "bin"],
    );
    this.referenceRatio = gauge("infermon_feature_reference_ratio", "Reference proportion per feature bin.", [
      ...F,
      "bin",
    ]);
    // with the ratios, lets recording rules smooth the reference exactly as the agent does
    this.referenceObservations = gauge(
      "infermon_feature_reference_observations",
      "Binned reference values per feature (the ratios' denominator).",
      F,
    );
    this.featureMissing = counter("infermon_feature_missing_total", "Missing feature values.", F);
    this.featureInvalid = counter("infermon_feature_invalid_total", "Invalid feature values.", F);
    this.featureUnseen = counter(
      "infermon_feature_unseen_category_total",
      "Categorical values never seen in the reference.",
      F,
    );
    this.failedRequestValues = counter(
      "infermon_failed_request_feature_values_total",
      "Feature values of requests the model server answered with a non-2xx status, by quality (ok, missing, invalid, unseen, out_of_range).",
      [...F, "quality"],
    );
    this.windowSamples = gauge("infermon_window_samples", "Events in the sliding window.", MW);
    this.predictionPsi = gauge(
      "infermon_prediction_psi",
      "Population stability index of the prediction.",
      MW,
    );
    this.predictionKl = gauge(
      "infermon_prediction_kl_divergence",
      "KL(current || reference) of the prediction.",
      MW,
    );
    this.predictionJs = gauge(
      "infermon_prediction_js_distance",
      "Jensen-Shannon distance of the prediction.",
      MW,
    );
    this.predictionLevel = gauge(
      "infermon_prediction_drift_level",
      "Warning and critical levels of the model's drift statistic for the prediction in this window: fixed, or the null quantile at the window's sample size.",
      [...MW, "statistic", "level"],
    );
    this.predictionScore = new BoundHistogram(
      "infermon_prediction_score",
      "Predicted score (classification).",
      M,
      SCORE_BUCKETS,
      this.registry,
    );
    this.predictionValue = new BoundHistogram(
      "infermon_prediction_value",
      "Predicted value (regression).",
      M,
      opts.valueBuckets && opts.valueBuckets.length > 0 ? opts.valueBuckets : DEFAULT_VALUE_BUCKETS,
      this.registry,
    );
    this.predictions = counter("infermon_predictions_total", "Predicted class.", [...M, "class"]);
    this.quality = new QualityMetrics(this.registry, opts.labelDelayBuckets);
    const valueBuckets =
      opts.valueBuckets && opts.valueBuckets.length > 0 ? opts.valueBuckets : DEFAULT_VALUE_BUCKETS;
    this.variants = new VariantMetrics(this.registry, SCORE_BUCKETS, valueBuckets);
    this.shadow = new ShadowMetrics(
      this.registry,
      [...(opts.latencyBuckets ?? DEFAULT_LATENCY_BUCKETS)],
      SCORE_BUCKETS,
      valueBuckets,
    );
    this.llmTokens = counter("infermon_llm_tokens_total", "LLM token usage (type: prompt, completion).", [
      "model",
      "type",
    ]);
    this.llmFinishReasons = counter("infermon_llm_finish_reasons_total", "LLM completion finish reasons.", [
      "model",
      "reason",
    ]);
    const info = gauge("infermon_build_info", "Build information; always 1.", ["version"]);
    info.set({ version: opts.version }, 1);
    if (opts.processMetrics !== false) {
      collectDefaultMetrics({ register: this.registry });
      // prom-client's gauges named *_total fail `promtool check metrics`; the same values are
      // exported without the suffix (nodejs_active_handles, …)
      for (const n of [
        "nodejs_active_handles_total",
        "nodejs_active_requests_total",
        "nodejs_active_resources_total",
      ])
        this.registry.removeSingleMetric(n);
    }
  }

  /** Drift gauges are recomputed on every scrape; labels of windows below min_samples disappear. */
  resetDriftGauges(): void {
    for (const g of [
      this.featurePsi,
      this.featureKl,
      this.featureJs,
      this.predictionPsi,
      this.predictionKl,
      this.predictionJs,
      this.predictionLevel,
      this.windowSamples,
    ])
      g.reset();
    this.driftStderr.reset();
    this.quality.resetWindowGauges();
    this.variants.resetWindowGauges();
    this.shadow.resetWindowGauges();
  }
}
