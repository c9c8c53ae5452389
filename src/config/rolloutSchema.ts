// The user-facing spec of a model's rollout keys (issue #21): `shadow` (replay a share of the
// model's traffic to a candidate and compare), `variants` (A/B variants, each event labelled with
// one of the configured names) and `rollout` (canary gates for Argo Rollouts and Flagger).
// Kept apart from modelSchema.ts, which stays the model's own keys; rollout.ts normalises these.
import { z } from "zod";
import { duration, HEADER_NAME, share, tolerance } from "./specPrimitives.js";

/** A variant name becomes the `variant` label: short, and never `other` (what anything else is). */
const variantName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,63}$/, { message: "must match [A-Za-z0-9_.-]{1,63}" })
  .refine((n) => n !== "other", { message: '"other" is what a value outside names becomes' });

export const shadowSpec = z.strictObject({
  upstream: z.url({ message: "must be an absolute URL" }).refine((u) => /^https?:/.test(u), {
    message: "must be an http:// or https:// URL",
  }),
  sample: share.default(1),
  timeout: duration.default("10s"),
  max_in_flight: z.number().int().positive().max(1024).default(16),
  queue_size: z.number().int().nonnegative().max(100_000).default(1000),
  min_agreement: share.default(0.9),
  tolerance: tolerance.optional(),
});

export const variantsSpec = z
  .strictObject({
    by: z.enum(["header", "cookie", "route", "hash"]),
    key: z.string().min(1),
    names: z.array(variantName).min(2).max(16),
    test: z
      .strictObject({
        alpha: z.number().gt(0).max(0.5).default(0.05),
        effect: z
          .strictObject({
            errors: z.number().positive().max(1).optional(),
            loss: z.number().positive().optional(),
          })
          .default({}),
        min_samples: z.number().int().positive().optional(),
      })
      .default({ alpha: 0.05, effect: {} }),
  })
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.names.forEach((n, i) => {
      if (seen.has(n)) ctx.addIssue({ code: "custom", path: ["names", i], message: `duplicate name "${n}"` });
      seen.add(n);
    });
    if (v.by === "header" || v.by === "hash") {
      if (!HEADER_NAME.test(v.key))
        ctx.addIssue({ code: "custom", path: ["key"], message: "must be a header name" });
    } else if (v.by === "cookie") {
      if (!HEADER_NAME.test(v.key))
        ctx.addIssue({ code: "custom", path: ["key"], message: "must be a cookie name" });
    } else {
      let re: RegExp | undefined;
      try {
        re = new RegExp(v.key);
      } catch (err) {
        ctx.addIssue({
          code: "custom",
          path: ["key"],
          message: `not a regular expression: ${(err as Error).message}`,
        });
      }
      // one capturing group: the variant name in the request path
      if (re && new RegExp(`${re.source}|`).exec("")?.length !== 2)
        ctx.addIssue({
          code: "custom",
          path: ["key"],
          message: "must have exactly one capturing group (the variant name in the path)",
        });
    }
  });

export const rolloutSpec = z.strictObject({
  window: duration.default("5m"),
  min_samples: z.number().int().positive().optional(),
  max_burn_rate: z.number().positive().default(6),
  max_prediction_distance: z.number().gt(0).max(1).default(0.1),
  max_prediction_shift: z.number().positive().default(0.05),
  prometheus_url: z
    .url({ message: "must be an absolute URL" })
    .default("http://prometheus-operated.monitoring.svc:9090"),
});

export type ShadowSpec = z.infer<typeof shadowSpec>;
export type VariantsSpec = z.infer<typeof variantsSpec>;
export type RolloutSpec = z.infer<typeof rolloutSpec>;
