// The user-facing spec of the keys that bound and secure infermon's connections (issue #16): each
// listener's limits, the Kafka client's SASL and TLS, the join's state file and the memory budget.
// Kept apart from schema.ts, which wires these in (a model's keys are in modelSchema.ts).
import { z } from "zod";
import { duration, positiveInt } from "./specPrimitives.js";

/** read_timeout, idle_timeout and max_connections of a listener, with its defaults */
export const listenerLimits = (d: { read: string; idle: string; connections: number }) => ({
  read_timeout: duration.default(d.read),
  idle_timeout: duration.default(d.idle),
  max_connections: positiveInt.max(1_000_000).default(d.connections),
});

/** kafka.sasl: the password is read from a file, never written in the YAML */
export const kafkaSasl = z.strictObject({
  mechanism: z.enum(["plain", "scram-sha-256", "scram-sha-512"]),
  username: z.string().min(1),
  password_file: z.string().min(1),
});

/** kafka.tls_config, in the shape of Prometheus' tls_config */
export const kafkaTls = z
  .strictObject({
    ca_file: z.string().min(1).optional(),
    cert_file: z.string().min(1).optional(),
    key_file: z.string().min(1).optional(),
    server_name: z.string().min(1).optional(),
    insecure_skip_verify: z.boolean().default(false),
  })
  .refine((t) => (t.cert_file === undefined) === (t.key_file === undefined), {
    message: "give cert_file and key_file together",
    path: ["key_file"],
  });

/** state: the label join saved here on SIGTERM and read at start (without Kafka) */
export const stateSpec = z.strictObject({
  file: z.string().min(1),
  heartbeat: duration.default("10s"),
});

/** limits: bytes of bodies held at once (tap bodies and copies, ingest bodies); beyond: 503 on
 * the ingest, pass-through without a copy on the tap */
export const limitsSpec = z.strictObject({
  max_buffered_bytes: positiveInt.default(134_217_728),
});
