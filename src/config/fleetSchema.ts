// The user-facing spec of the fleet's keys (issue #18): `forward:` (a sidecar's or node agent's
// predictions sent to the join, with Prometheus' HTTP client settings) and `deploy:` (what
// `infermon generate` writes under deploy/kubernetes/). Kept apart from schema.ts, which wires them in.
import { z } from "zod";
import { duration, positiveInt, url } from "./specPrimitives.js";

/**
 * An outgoing HTTP client's settings in Prometheus' HTTP client config shape (`authorization`,
 * `basic_auth`, `tls_config`); secrets only ever come from files, never from the YAML.
 */
const file = z.string().min(1);
export const httpClientSpec = {
  authorization: z
    .strictObject({
      type: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9-]*$/)
        .default("Bearer"),
      credentials_file: file,
    })
    .optional(),
  basic_auth: z.strictObject({ username: z.string().min(1), password_file: file }).optional(),
  tls_config: z
    .strictObject({
      ca_file: file.optional(),
      cert_file: file.optional(),
      key_file: file.optional(),
      server_name: z.string().min(1).optional(),
      insecure_skip_verify: z.boolean().default(false),
    })
    .refine((t) => (t.cert_file === undefined) === (t.key_file === undefined), {
      message: "cert_file and key_file go together",
      path: ["key_file"],
    })
    .optional(),
};

export const forwardSpec = z
  .strictObject({
    url: url.refine((u) => /^https?:\/\//.test(u), { message: "must be an http:// or https:// URL" }),
    ...httpClientSpec,
    queue_size: positiveInt.max(1_000_000).default(10_000),
    batch_size: positiveInt.max(10_000).default(500),
    flush_interval: duration.default("1s"),
    timeout: duration.default("5s"),
  })
  .superRefine((f, ctx) => {
    try {
      const u = new URL(f.url);
      if (u.username || u.password)
        ctx.addIssue({
          code: "custom",
          path: ["url"],
          message:
            "must not carry credentials: use basic_auth.password_file or authorization.credentials_file",
        });
      if (u.search) ctx.addIssue({ code: "custom", path: ["url"], message: "must not carry a query string" });
    } catch {
      // the url check above reports it
    }
    if (f.authorization && f.basic_auth)
      ctx.addIssue({
        code: "custom",
        path: ["basic_auth"],
        message: "give authorization or basic_auth, not both",
      });
  });

/** Kubernetes label keys and values (as the API server checks them). */
const labelMap = z.record(
  z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
    message: "must be a Kubernetes label key",
  }),
  z.string().regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, {
    message: "must be a Kubernetes label value",
  }),
);
const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "must be a DNS label (a-z, 0-9, -)" });

/** What `infermon generate` writes under deploy/kubernetes/ (read by generate only). */
export const deploySpec = z
  .strictObject({
    namespace: dnsLabel.default("infermon"),
    image: z.string().min(1).optional(),
    monitoring: z
      .strictObject({ namespace: dnsLabel.optional(), labels: labelMap.default({}) })
      .default({ labels: {} }),
    dashboards: z.strictObject({ labels: labelMap.default({ grafana_dashboard: "1" }) }).default({
      labels: { grafana_dashboard: "1" },
    }),
    model: z
      .strictObject({
        image: z.string().min(1).default("docker.io/seldonio/mlserver:1.7.1"),
        port: z.number().int().min(1).max(65535).optional(),
      })
      .default({ image: "docker.io/seldonio/mlserver:1.7.1" }),
    aggregator: z
      .strictObject({
        min_replicas: positiveInt.max(1000).default(2),
        max_replicas: positiveInt.max(1000).default(10),
      })
      .refine((a) => a.max_replicas >= a.min_replicas, {
        message: "must be at least min_replicas",
        path: ["max_replicas"],
      })
      .default({ min_replicas: 2, max_replicas: 10 }),
  })
  .default({
    namespace: "infermon",
    monitoring: { labels: {} },
    dashboards: { labels: { grafana_dashboard: "1" } },
    model: { image: "docker.io/seldonio/mlserver:1.7.1" },
    aggregator: { min_replicas: 2, max_replicas: 10 },
  });
