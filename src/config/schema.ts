// The user-facing spec of infermon.yaml. Key names are the contract (docs/configuration.md);
// `normalize.ts` maps this spec onto the internal Config with defaults applied.
import { z } from "zod";
import { CONCERN_NAMES, URGENCIES } from "../generate/severity.js";
import { parseDuration } from "./duration.js";
import { deploySpec, forwardSpec } from "./fleetSchema.js";
import { rolloutSpec, shadowSpec, variantsSpec } from "./rolloutSchema.js";
import { kafkaSasl, kafkaTls, limitsSpec, listenerLimits, stateSpec } from "./securitySchema.js";
import { MAX_WINDOW_EVENTS, parseWindow } from "./window.js";

const duration = z.string().refine((s) => parseDuration(s) !== undefined, {
  message: "must be a duration like 30s, 5m, 1h, 30d",
});
// a duration (`1h`) or a count of events (`5000 events`)
const window = z.string().refine((s) => parseWindow(s) !== undefined, {
  message: `must be a duration like 5m, 1h, or a count like "5000 events" (1 to ${MAX_WINDOW_EVENTS})`,
});
const listenAddress = z
  .string()
  .regex(/^(?:\[[0-9a-fA-F:.]+\]|[^:\s]*):\d{1,5}$/, { message: "must be HOST:PORT, e.g. 0.0.0.0:8080" });
const url = z.url({ message: "must be an absolute URL" });
const percent = z
  .number()
  .gt(0, { message: "must be in (0, 100)" })
  .lt(100, { message: "must be in (0, 100)" });
const positiveInt = z.number().int().positive();
// the severity policy: concern → page | ticket | info (src/generate/severity.ts)
const severityPolicy = z.strictObject(
  Object.fromEntries(CONCERN_NAMES.map((c) => [c, z.enum(URGENCIES).optional()])) as Record<
    (typeof CONCERN_NAMES)[number],
    z.ZodOptional<z.ZodEnum<{ page: "page"; ticket: "ticket"; info: "info" }>>
  >,
);
const levels = z.strictObject({ warning: z.number().nonnegative(), critical: z.number().nonnegative() });

const feature = z
  .strictObject({
    name: z.string().min(1),
    type: z.enum(["numeric", "categorical"]),
    bins: positiveInt.min(1).max(1000).optional(),
    edges: z.array(z.number().finite()).min(1).optional(),
    top_k: positiveInt.max(10_000).optional(),
    max_distinct_values: z.number().int().nonnegative().max(1000).optional(),
    // where a feature is in a request: an input (tensor) name, and a column of its last dimension
    input: z.string().min(1).optional(),
    column: z.number().int().nonnegative().max(1_000_000).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.edges) {
      for (let i = 1; i < f.edges.length; i++) {
        if (!((f.edges[i] as number) > (f.edges[i - 1] as number))) {
          ctx.addIssue({ code: "custom", path: ["edges"], message: "must be increasing" });
          break;
        }
      }
    }
    if (f.type === "categorical" && (f.bins !== undefined || f.edges !== undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [f.edges ? "edges" : "bins"],
        message: "only for numeric features",
      });
    }
    if (f.type === "categorical" && f.max_distinct_values !== undefined) {
      ctx.addIssue({ code: "custom", path: ["max_distinct_values"], message: "only for numeric features" });
    }
    if (f.edges !== undefined && f.max_distinct_values !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["max_distinct_values"],
        message: "not with edges (explicit edges are used as given)",
      });
    }
    if (f.type === "numeric" && f.top_k !== undefined) {
      ctx.addIssue({ code: "custom", path: ["top_k"], message: "only for categorical features" });
    }
    if (f.bins !== undefined && f.edges !== undefined) {
      ctx.addIssue({ code: "custom", path: ["bins"], message: "give either bins or edges, not both" });
    }
  });

const smoothing = z.discriminatedUnion("method", [
  z.strictObject({ method: z.literal("laplace"), alpha: z.number().positive().default(0.5) }),
  z.strictObject({ method: z.literal("epsilon"), epsilon: z.number().positive().lt(1).default(0.0001) }),
]);

const thresholdLevels = levels.refine((l) => l.critical >= l.warning, {
  message: "critical must be at least warning",
  path: ["critical"],
});

// shares of rows/events: a level is reached when the share is above it
const share = z
  .number()
  .min(0, { message: "must be a share in [0, 1]" })
  .max(1, { message: "must be a share in [0, 1]" });
const shareLevels = z
  .strictObject({ warning: share, critical: share })
  .refine((l) => l.critical >= l.warning, {
    message: "critical must be at least warning",
    path: ["critical"],
  });

const model = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9_-]+$/, { message: "must match [a-z0-9_-]+" }),
    version: z.union([z.string(), z.number()]).transform(String).optional(),
    task: z.enum(["binary_classification", "multiclass_classification", "regression"]),
    protocol: z.enum(["open-inference-v2", "tf-serving", "json", "openai-chat"]).default("open-inference-v2"),
    route: z.string().startsWith("/", { message: "must start with /" }).optional(),
    json: z
      .strictObject({ id: z.string().optional(), features: z.string(), prediction: z.string().optional() })
      .optional(),
    features: z.array(feature).default([]),
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
        tolerance: z
          .strictObject({
            absolute: z.number().finite().nonnegative().optional(),
            relative: z.number().finite().nonnegative().optional(),
          })
          .refine((t) => t.absolute !== undefined || t.relative !== undefined, {
            message: "give absolute, relative or both",
          })
          .optional(),
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

export const configSpec = z
  .strictObject({
    service: z.string().min(1).default("infermon"),
    models: z.array(model).min(1, { message: "at least one model is required" }),
    tap: z
      .strictObject({
        listen: listenAddress.default("0.0.0.0:8080"),
        upstream: url,
        max_body_bytes: positiveInt.default(1_048_576),
        queue_size: positiveInt.default(10_000),
        timeout: duration.default("30s"),
        ...listenerLimits({ read: "30s", idle: "30s", connections: 4096 }),
      })
      .optional(),
    ingest: z
      .strictObject({
        // loopback unless configured: whoever reaches the ingest changes what infermon reports
        listen: listenAddress.default("127.0.0.1:8081"),
        web_config_file: z.string().min(1).optional(),
        ...listenerLimits({ read: "30s", idle: "30s", connections: 256 }),
      })
      .optional(),
    kafka: z
      .strictObject({
        brokers: z.array(z.string().min(1)).min(1),
        group_id: z.string().min(1).default("infermon"),
        topics: z
          .strictObject({ predictions: z.string().min(1).optional(), labels: z.string().min(1).optional() })
          .default({}),
        publish_predictions: z.boolean().default(false),
        sasl: kafkaSasl.optional(),
        tls_config: kafkaTls.optional(),
      })
      .optional(),
    /** analysed predictions to the label join of another agent (sidecars and node agents) */
    forward: forwardSpec.optional(),
    metrics: z
      .strictObject({
        listen: listenAddress.default("0.0.0.0:9464"),
        web_config_file: z.string().min(1).optional(),
        ...listenerLimits({ read: "10s", idle: "30s", connections: 64 }),
      })
      .prefault({}),
    state: stateSpec.optional(),
    limits: limitsSpec.prefault({}),
    tracing: z
      .strictObject({
        enabled: z.boolean().default(false),
        sample_ratio: z.number().min(0).max(1).default(0.1),
      })
      .default({ enabled: false, sample_ratio: 0.1 }),
    logging: z
      .strictObject({
        level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
        log_payloads: z.boolean().default(false),
        redact_headers: z
          .array(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { message: "must be a header name" }))
          .default([]),
      })
      .default({ level: "info", log_payloads: false, redact_headers: [] }),
    deploy: deploySpec,
    alerting: z
      .strictObject({
        runbook_base_url: url.optional(),
        grafana_url: url.optional(),
        owners: z
          .record(z.string(), z.strictObject({ page: z.string().min(1), ticket: z.string().min(1) }))
          .default({}),
        default_receiver: z.string().min(1).default("default"),
        severity: severityPolicy.optional(),
      })
      .optional(),
  })
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.models.forEach((m, i) => {
      const first = seen.get(m.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["models", i, "name"],
          message: `duplicate model name "${m.name}" (also models[${first}])`,
        });
      } else seen.set(m.name, i);
      if (m.shadow && !c.tap)
        ctx.addIssue({
          code: "custom",
          path: ["models", i, "shadow"],
          message: "needs tap: (the shadow replays the requests the tap forwards)",
        });
      if (m.owner && c.alerting && !(m.owner in c.alerting.owners)) {
        ctx.addIssue({
          code: "custom",
          path: ["models", i, "owner"],
          message: `no route for owner "${m.owner}" in alerting.owners`,
        });
      }
    });
  });

export type ConfigSpec = z.infer<typeof configSpec>;
export type ModelSpec = z.infer<typeof model>;
export type FeatureSpec = z.infer<typeof feature>;
