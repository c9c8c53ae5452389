// A model's rollout settings as the agent and the generator read them: the validated spec of
// rolloutSchema.ts with defaults applied and durations in milliseconds.
import { parseDuration } from "./duration.js";
import type { RolloutSpec, ShadowSpec, VariantsSpec } from "./rolloutSchema.js";

export interface ShadowConfig {
  upstream: string;
  /** share of the model's requests replayed, in [0, 1] */
  sample: number;
  timeoutMs: number;
  timeout: string;
  maxInFlight: number;
  /** replays waiting for a free slot; beyond it they are dropped (`queue_full`) */
  queueSize: number;
  /** agreement below this share: InfermonShadowAgreementLow, and the shadow gate fails */
  minAgreement: number;
  /** when two numeric predictions agree (regression): |a − b| ≤ absolute + relative × |primary| */
  tolerance: { absolute: number; relative: number };
}

export type VariantSource = "header" | "cookie" | "route" | "hash";

export interface VariantsConfig {
  by: VariantSource;
  key: string;
  /** names[0] is the control every other variant is tested against */
  names: string[];
  test: {
    alpha: number;
    /** mixture scale τ of the sequential test, per metric, in the metric's units */
    effect: { errors: number; loss: number };
    minSamples: number;
  };
}

export interface RolloutConfig {
  window: string;
  windowMs: number;
  minSamples: number;
  maxBurnRate: number;
  maxPredictionDistance: number;
  maxPredictionShift: number;
  /** the Prometheus the generated AnalysisTemplates and MetricTemplates query */
  prometheusUrl: string;
}

/** Default mixture scales: one point of error rate; two points of accuracy (classification loss). */
export const DEFAULT_EFFECT = { errors: 0.01, loss: 0.02 } as const;
/** Regression agreement of a shadow's value with the primary's, unless configured. */
export const DEFAULT_SHADOW_TOLERANCE = { absolute: 0, relative: 0.05 } as const;

const ms = (d: string): number => parseDuration(d) as number; // validated by the schema

export function shadowConfig(s: ShadowSpec): ShadowConfig {
  return {
    upstream: s.upstream,
    sample: s.sample,
    timeoutMs: ms(s.timeout),
    timeout: s.timeout,
    maxInFlight: s.max_in_flight,
    queueSize: s.queue_size,
    minAgreement: s.min_agreement,
    tolerance: s.tolerance
      ? { absolute: s.tolerance.absolute ?? 0, relative: s.tolerance.relative ?? 0 }
      : { ...DEFAULT_SHADOW_TOLERANCE },
  };
}

export function variantsConfig(v: VariantsSpec, minSamples: number): VariantsConfig {
  return {
    by: v.by,
    // header names are case-insensitive (Node lower-cases them); cookie names and paths are not
    key: v.by === "header" || v.by === "hash" ? v.key.toLowerCase() : v.key,
    names: [...v.names],
    test: {
      alpha: v.test.alpha,
      effect: {
        errors: v.test.effect.errors ?? DEFAULT_EFFECT.errors,
        // regression: required by the schema (the loss is in the prediction's units)
        loss: v.test.effect.loss ?? DEFAULT_EFFECT.loss,
      },
      minSamples: v.test.min_samples ?? Math.max(1, minSamples),
    },
  };
}

export function rolloutConfig(r: RolloutSpec, minSamples: number): RolloutConfig {
  return {
    window: r.window,
    windowMs: ms(r.window),
    minSamples: r.min_samples ?? Math.max(1, minSamples),
    maxBurnRate: r.max_burn_rate,
    maxPredictionDistance: r.max_prediction_distance,
    maxPredictionShift: r.max_prediction_shift,
    prometheusUrl: r.prometheus_url,
  };
}
