// The user-facing spec of one entry of models[] in infermon.yaml: what the model is, how its
// requests are read, and what is monitored about it (drift, data quality, labels, SLOs), with the
// checks across its keys. Key names are the contract (docs/configuration.md).
import { z } from "zod";
import { parseDuration } from "./duration.js";
import { featureSpec } from "./featureSchema.js";
import { rolloutSpec, shadowSpec, variantsSpec } from "./rolloutSchema.js";
import {
  duration,
  levels,
  percent,
  positiveInt,
  severityPolicy,
  shareLevels,
  thresholdLevels,
  tolerance,
  window,
} from "./specPrimitives.js";
import { parseWindow } from "./window.js";

const smoothing = z.discriminatedUnion("method", [
  z.strictObject({ method: z.literal("laplace"), alpha: z.number().positive().default(0.5) }),
  z.strictObject({ method: z.literal("epsilon"), epsilon: z.number().positive().lt(1).default(0.0001) }),
]);

export const modelSpec = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9_-]+$/, { message: "must match [a-z0-9_-]+" }),
    version: z.union([z.string(), z.number()]).transform(String).optional(),
    task: z.enum(["binary_classification", "multiclass_classification", "regression"]),
    protocol: z.enum(["open-inference-v2", "tf-serving", "json", "openai-chat"]).default("open-inference-v2"),
    route: z.string().startsWith("/", { message: "must start with /" }).optional(),
    json: z
      .strictObject({ id: z.string().optional(), features: z.string(), prediction: z.string().optional() })
      .optional(),
    features: z.array(featureSpec).default([]),
    // `false`: the model has no prediction to monitor (no output read, none in a profile)
    prediction: z
      .union([
        z.literal(false),
        z.strictObject({
          output: z.string().min(1).optional(),
          threshold: z.number().min(0).max(1).optional(),
          classes: z
            .array(z.union([z.string(), z.number()]).transform(String))
            .min(2)
            .optional(),
          bins: positiveInt.max(1000).optional(),
          edges: z.array(z.number().finite()).min(1).optional(),
          score_bins: z.number().int().min(2).max(1000).optional(),
        }),
      ])
      .optional(),
    reference: z.string().min(1).optional(),
    windows: z.array(window).min(1).default(["5m", "1h"]),
    min_samples: z.number().int().nonnegative().default(200),
    max_distinct_values: z.number().int().nonnegative().max(1000).default(20),
    data_quality: z
      .strictObject({
        missing: shareLevels.optional(),
        invalid: shareLevels.optional(),
        unseen: shareLevels.optional(),
      })
      .optional(),
    drift: z
      .strictObject({
        smoothing: smoothing.optional(),
        statistic: z.enum(["psi", "kl", "js"]).optional(),
        // absent or `auto`: learned from the reference by `infermon baseline` (bootstrap at
        // expected_rate × window) when expected_rate is set, else following each window's size
        thresholds: z
          .union([
            z.literal("auto"),
            z.strictObject({
              psi: thresholdLevels.optional(),
              kl: thresholdLevels.optional(),
              js: thresholdLevels.optional(),
            }),
          ])
          .optional(),
        /** requests per second the model usually sees: sizes the bootstrap windows */
        expected_rate: z.number().positive().optional(),
        for: duration.optional(),
      })
      .superRefine((d, ctx) => {
        const stat = d.statistic ?? "js";
        // fixed levels that leave out the statistic that alerts would be silently ignored
        if (typeof d.thresholds === "object" && d.thresholds[stat] === undefined)
          ctx.addIssue({
            code: "custom",
            path: ["thresholds", stat],
            message: `required with fixed thresholds: ${stat} is the statistic that sets status and alerts (drift.statistic${d.statistic ? "" : ", default js"}); add its levels or set drift.statistic`,
          });
      })
      .optional(),
    labels: z
      .strictObject({
        ttl: duration.optional(),
        max_pending: positiveInt.max(100_000_000).optional(),
        max_pending_per_source: positiveInt.max(67_108_864).optional(),
        on_conflict: z.enum(["first", "last", "reject_conflicts"]).optional(),
        expected_delay: duration.optional(),
        target: z.string().min(1).optional(),
        tolerance: tolerance.optional(),
      })
      .optional(),
    quality: z
      .strictObject({
        accuracy: levels.optional(),
        mae: levels.optional(),
        for: duration.optional(),
      })
      .optional(),
    slo: z
      .strictObject({
        availability: z.strictObject({ objective: percent, period: duration.default("30d") }).optional(),
        latency: z
          .strictObject({
            threshold: z.number().positive(),
            objective: percent,
            period: duration.default("30d"),
          })
          .optional(),
        correctness: z.strictObject({ objective: percent, period: duration.default("30d") }).optional(),
        /** bad events the long window must hold before a burn-rate alert fires */
        min_bad_events: positiveInt.optional(),
      })
      .optional(),
    owner: z.string().min(1).optional(),
    severity: severityPolicy.optional(),
    // issue #21: shadow comparison, A/B variants, canary gates (rolloutSchema.ts)
    shadow: shadowSpec.optional(),
    variants: variantsSpec.optional(),
    rollout: rolloutSpec.optional(),
  })
  .superRefine((m, ctx) => {
    const windows = m.windows.map(parseWindow);
    const names = new Set<string>();
    windows.forEach((w, i) => {
      if (!w) return;
      if (names.has(w.name))
        ctx.addIssue({ code: "custom", path: ["windows", i], message: `duplicate window "${w.name}"` });
      names.add(w.name);
    });
    // the generated fleet rules and alerts read a time window (PromQL ranges are durations)
    if (windows.every((w) => w?.kind === "events"))
      ctx.addIssue({
        code: "custom",
        path: ["windows"],
        message:
          "needs at least one time window (e.g. 1h): the generated fleet rules and alerts read the longest",
      });
    const seen = new Set<string>();
    m.features.forEach((f, i) => {
      if (seen.has(f.name))
        ctx.addIssue({
          code: "custom",
          path: ["features", i, "name"],
          message: `duplicate feature "${f.name}"`,
        });
      seen.add(f.name);
    });
    if (m.protocol === "json" && !m.json)
      ctx.addIssue({ code: "custom", path: ["json"], message: "required when protocol is json" });
    if (m.protocol !== "json" && m.json)
      ctx.addIssue({ code: "custom", path: ["json"], message: "only for protocol json" });
    const pred = m.prediction === false ? undefined : m.prediction;
    if (m.prediction === false && (m.quality !== undefined || m.slo?.correctness || m.labels !== undefined))
      ctx.addIssue({
        code: "custom",
        path: ["prediction"],
        message:
          "false (no prediction to monitor) cannot be joined with labels: remove quality, slo.correctness and labels",
      });
    const edges = pred?.edges;
    if (edges) {
      for (let i = 1; i < edges.length; i++) {
        if (!((edges[i] as number) > (edges[i - 1] as number))) {
          ctx.addIssue({ code: "custom", path: ["prediction", "edges"], message: "must be increasing" });
          break;
        }
      }
    }
    const ttl = parseDuration(m.labels?.ttl ?? "24h") as number;
    const expected = m.labels?.expected_delay;
    if (expected !== undefined && (parseDuration(expected) as number) > ttl)
      ctx.addIssue({
        code: "custom",
        path: ["labels", "expected_delay"],
        message: "must not exceed labels.ttl (a later label can no longer join)",
      });
    // a regression prediction is correct only within a tolerance: without one the correctness
    // SLI (infermon_labeled_predictions_total) is never counted and a correctness SLO reads nothing
    if (m.task === "regression" && m.slo?.correctness && !m.labels?.tolerance)
      ctx.addIssue({
        code: "custom",
        path: ["labels", "tolerance"],
        message: "required for a regression model with slo.correctness (when is a prediction correct?)",
      });
    if (m.task === "regression" && m.prediction && m.prediction.score_bins !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["prediction", "score_bins"],
        message: "only for classification (the bins of class scores)",
      });
    if (m.task !== "regression" && m.labels?.tolerance)
      ctx.addIssue({
        code: "custom",
        path: ["labels", "tolerance"],
        message: "only for regression models (a class is right or wrong)",
      });
    if (m.task === "regression" && m.variants && m.variants.test.effect.loss === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["variants", "test", "effect", "loss"],
        message:
          "required for a regression model (the difference in mean absolute error worth detecting, in the prediction's units)",
      });
    if (m.task !== "regression" && m.shadow?.tolerance)
      ctx.addIssue({
        code: "custom",
        path: ["shadow", "tolerance"],
        message: "only for regression models (classes agree or not)",
      });
    if (m.task === "multiclass_classification" && pred && !pred.classes) {
      ctx.addIssue({
        code: "custom",
        path: ["prediction", "classes"],
        message: "required for multiclass_classification",
      });
    } else if (
      m.task === "multiclass_classification" &&
      !pred?.classes &&
      m.prediction !== false &&
      (m.quality !== undefined || m.slo?.correctness !== undefined || m.labels !== undefined)
    ) {
      // labels are joined by class: without classes the agent learns names from traffic and
      // exports accuracy only, while the quality dashboard reads precision, recall and F1 per class
      ctx.addIssue({
        code: "custom",
        path: ["prediction", "classes"],
        message:
          "required for multiclass_classification with quality, slo.correctness or labels (precision, recall and F1 are per class)",
      });
    }
  });

export type ModelSpec = z.infer<typeof modelSpec>;
