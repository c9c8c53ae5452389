// The user-facing spec of infermon.yaml. Key names are the contract (docs/configuration.md);
// `normalize.ts` maps this spec onto the internal Config with defaults applied. A model's own keys
// are in modelSchema.ts; rollout, fleet and security keys in their *Schema.ts files.
import { z } from "zod";
import { deploySpec, forwardSpec } from "./fleetSchema.js";
import { modelSpec } from "./modelSchema.js";
import { kafkaSasl, kafkaTls, limitsSpec, listenerLimits, stateSpec } from "./securitySchema.js";
import { duration, HEADER_NAME, listenAddress, positiveInt, severityPolicy, url } from "./specPrimitives.js";

export const configSpec = z
  .strictObject({
    service: z.string().min(1).default("infermon"),
    models: z.array(modelSpec).min(1, { message: "at least one model is required" }),
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
          .array(z.string().regex(HEADER_NAME, { message: "must be a header name" }))
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
