// The standard OTEL_* variables infermon's tracing reads, checked before the SDK sees them. The SDK
// itself treats a bad value as a debug-level note and quietly falls back (an endpoint it cannot use
// loses every span); here a value that cannot be understood stops `infermon run` with one line per
// variable, and an unset or empty variable means the documented default (docs/configuration.md).
// Pure: takes the environment as a record.

import { redactUrl } from "./redact.js";

export interface OtelEnvIssue {
  variable: string;
  message: string;
}

export class OtelEnvError extends Error {
  readonly issues: readonly OtelEnvIssue[];
  constructor(issues: readonly OtelEnvIssue[]) {
    super(`invalid tracing environment\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join("\n")}`);
    this.name = "OtelEnvError";
    this.issues = issues;
  }
}

export type SamplerName =
  | "always_on"
  | "always_off"
  | "traceidratio"
  | "parentbased_always_on"
  | "parentbased_always_off"
  | "parentbased_traceidratio";

const SAMPLERS: readonly SamplerName[] = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
];

/** What the agent needs from the environment; everything else is left to the SDK's own reading. */
export interface OtelEnv {
  /** OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none */
  disabled: boolean;
  /** OTEL_TRACES_SAMPLER (+ _ARG) when set; otherwise tracing.sample_ratio decides */
  sampler: { name: SamplerName; ratio: number } | undefined;
  /** the traces endpoint in force, for the start-up line and the export warning (no credentials) */
  endpoint: string;
  /** header names from OTEL_EXPORTER_OTLP_(TRACES_)HEADERS (values are never kept here) */
  headerNames: string[];
}

export const DEFAULT_OTLP_GRPC_ENDPOINT = "http://localhost:4317";

type Env = Readonly<Record<string, string | undefined>>;

/** Read and check the OTEL_* variables; throws OtelEnvError naming every bad one. */
export function readOtelEnv(env: Env): OtelEnv {
  const issues: OtelEnvIssue[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === "" ? undefined : v;
  };
  const bad = (variable: string, message: string) => issues.push({ variable, message });
  /** the traces-specific variable wins over the general one (OTLP exporter spec) */
  const either = (suffix: string): [string, string] | undefined => {
    for (const name of [`OTEL_EXPORTER_OTLP_TRACES_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`]) {
      const v = get(name);
      if (v !== undefined) return [name, v];
    }
    return undefined;
  };
  const bool = (name: string): boolean => {
    const v = get(name);
    if (v === undefined) return false;
    const l = v.toLowerCase();
    if (l === "true") return true;
    if (l !== "false") bad(name, `must be true or false (got "${v}")`);
    return false;
  };
  const nonNegativeInt = (name: string, min = 0) => {
    const v = get(name);
    if (v === undefined) return;
    if (!/^\d+$/.test(v) || Number(v) < min)
      bad(name, `must be an integer ≥ ${min} (milliseconds or a count; got "${v}")`);
  };

  let disabled = bool("OTEL_SDK_DISABLED");

  const exporter = get("OTEL_TRACES_EXPORTER");
  if (exporter !== undefined) {
    const names = exporter.split(",").map((s) => s.trim());
    if (names.includes("none")) disabled = true;
    else if (names.some((n) => n !== "otlp"))
      bad("OTEL_TRACES_EXPORTER", `infermon exports traces with otlp (or none); got "${exporter}"`);
  }

  let sampler: OtelEnv["sampler"];
  const samplerName = get("OTEL_TRACES_SAMPLER");
  if (samplerName !== undefined) {
    if (!(SAMPLERS as readonly string[]).includes(samplerName)) {
      bad("OTEL_TRACES_SAMPLER", `must be one of ${SAMPLERS.join(", ")} (got "${samplerName}")`);
    } else {
      let ratio = 1;
      const arg = get("OTEL_TRACES_SAMPLER_ARG");
      if (samplerName.endsWith("traceidratio") && arg !== undefined) {
        const n = Number(arg);
        if (!Number.isFinite(n) || n < 0 || n > 1)
          bad("OTEL_TRACES_SAMPLER_ARG", `must be a number in [0, 1] (got "${arg}")`);
        else ratio = n;
      }
      sampler = { name: samplerName as SamplerName, ratio };
    }
  }

  const protocol = either("PROTOCOL");
  if (protocol && protocol[1] !== "grpc")
    bad(protocol[0], `infermon exports traces over OTLP gRPC: must be grpc (got "${protocol[1]}")`);

  let endpoint = DEFAULT_OTLP_GRPC_ENDPOINT;
  const ep = either("ENDPOINT");
  if (ep) {
    if (isEndpoint(ep[1])) endpoint = withoutCredentials(ep[1]);
    else
      bad(
        ep[0],
        `must be a URL like http://collector:4317 or host:port (got "${withoutCredentials(ep[1])}")`,
      );
  }

  const headerNames: string[] = [];
  for (const name of ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"]) {
    const v = get(name);
    if (v === undefined) continue;
    // values are credentials: a message names the entry's position, never its value
    v.split(",").forEach((entry, i) => {
      const eq = entry.indexOf("=");
      const key = eq > 0 ? entry.slice(0, eq).trim() : "";
      if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key)) {
        bad(name, `entry ${i + 1} is not key=value with a header name as key`);
        return;
      }
      try {
        decodeURIComponent(entry.slice(eq + 1));
      } catch {
        bad(name, `entry ${i + 1} (${key}) has a malformed %-escape`);
        return;
      }
      headerNames.push(key.toLowerCase());
    });
  }

  for (const suffix of ["TIMEOUT"]) {
    for (const name of [`OTEL_EXPORTER_OTLP_TRACES_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`])
      nonNegativeInt(name, 1);
  }
  for (const name of ["OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION"]) {
    const v = get(name);
    if (v !== undefined && v !== "gzip" && v !== "none") bad(name, `must be gzip or none (got "${v}")`);
  }
  for (const name of ["OTEL_EXPORTER_OTLP_TRACES_INSECURE", "OTEL_EXPORTER_OTLP_INSECURE"]) bool(name);

  nonNegativeInt("OTEL_BSP_SCHEDULE_DELAY");
  nonNegativeInt("OTEL_BSP_EXPORT_TIMEOUT", 1);
  nonNegativeInt("OTEL_BSP_MAX_QUEUE_SIZE", 1);
  nonNegativeInt("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 1);

  const attrs = get("OTEL_RESOURCE_ATTRIBUTES");
  if (attrs !== undefined) {
    attrs.split(",").forEach((entry, i) => {
      const eq = entry.indexOf("=");
      if (eq <= 0 || entry.slice(0, eq).trim() === "") {
        bad("OTEL_RESOURCE_ATTRIBUTES", `entry ${i + 1} ("${entry}") is not key=value`);
        return;
      }
      try {
        decodeURIComponent(entry.slice(eq + 1));
      } catch {
        bad("OTEL_RESOURCE_ATTRIBUTES", `entry ${i + 1} ("${entry}") has a malformed %-escape`);
      }
    });
  }

  const propagators = get("OTEL_PROPAGATORS");
  if (propagators !== undefined) {
    const other = propagators
      .split(",")
      .map((s) => s.trim())
      .filter((p) => p !== "tracecontext" && p !== "baggage" && p !== "none");
    if (other.length > 0)
      bad("OTEL_PROPAGATORS", `infermon continues W3C tracecontext only (got "${other.join(", ")}")`);
  }

  if (issues.length > 0) throw new OtelEnvError(issues);
  return { disabled, sampler, endpoint, headerNames };
}

function isEndpoint(v: string): boolean {
  if (/^[A-Za-z0-9.-]+:\d{1,5}$/.test(v) || /^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/.test(v)) return true;
  try {
    const u = new URL(v);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
  } catch {
    return false;
  }
}

/** An endpoint for messages: userinfo (a password may contain "@"), query and fragment redacted. */
function withoutCredentials(v: string): string {
  return redactUrl(v);
}
