// A real OTLP gRPC receiver for tracing tests: Jaeger built from the Go module proxy by
// .ci/build-jaeger.sh (binary cached under ${XDG_CACHE_HOME:-~/.cache}/infermon/bin), started on
// loopback with in-memory storage; spans are read back through its query API (/api/traces).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./peerProcess.js";

export function jaegerBinary(): string {
  if (process.env.JAEGER_BIN) return process.env.JAEGER_BIN;
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cache, "infermon", "bin", "jaeger");
}

/** True when the Jaeger binary is built; false (skip) locally; throws when CI is set. */
export function requireJaeger(): boolean {
  if (existsSync(jaegerBinary())) return true;
  if (process.env.CI)
    throw new Error(`Jaeger is required in CI but ${jaegerBinary()} is missing (bash .ci/build-jaeger.sh)`);
  return false;
}

export interface JaegerTag {
  key: string;
  type: string;
  value: unknown;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; traceID: string; spanID: string }[];
  tags: JaegerTag[];
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
}

export interface Jaeger {
  /** OTLP gRPC endpoint, http://127.0.0.1:PORT */
  otlp: string;
  /** query API base, http://127.0.0.1:PORT */
  query: string;
  output(): string;
  trace(traceId: string): Promise<JaegerTrace | undefined>;
  /** poll until the trace holds `spans` spans (or the timeout) */
  waitForTrace(traceId: string, spans: number, timeoutMs?: number): Promise<JaegerTrace>;
  stop(): Promise<void>;
}

export async function startJaeger(): Promise<Jaeger> {
  const [otlp, http, grpc, health] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), "infermon-jaeger-"));
  const config = join(dir, "jaeger.yaml");
  writeFileSync(
    config,
    `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics: {level: none}
    logs: {level: warn}
extensions:
  healthcheckv2:
    use_v2: true
    http: {endpoint: "127.0.0.1:${health}"}
  jaeger_query:
    storage: {traces: memstore}
    http: {endpoint: "127.0.0.1:${http}"}
    grpc: {endpoint: "127.0.0.1:${grpc}"}
  jaeger_storage:
    backends:
      memstore:
        memory: {max_traces: 100000}
receivers:
  otlp:
    protocols:
      grpc: {endpoint: "127.0.0.1:${otlp}"}
processors:
  batch: {timeout: 100ms}
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`,
  );
  const child: ChildProcess = spawn(jaegerBinary(), ["--config", config], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const query = `http://127.0.0.1:${http}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jaeger exited (${child.exitCode}):\n${out}`);
    try {
      const r = await fetch(`${query}/api/services`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`jaeger did not start within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const trace = async (id: string): Promise<JaegerTrace | undefined> => {
    const r = await fetch(`${query}/api/traces/${id}`);
    if (r.status === 404) return undefined;
    if (!r.ok) throw new Error(`jaeger query ${r.status}: ${await r.text()}`);
    const body = (await r.json()) as { data?: JaegerTrace[] };
    return body.data?.[0];
  };
  return {
    otlp: `http://127.0.0.1:${otlp}`,
    query,
    output: () => out,
    trace,
    async waitForTrace(id, spans, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      let last: JaegerTrace | undefined;
      while (Date.now() < end) {
        last = await trace(id);
        if (last && last.spans.length >= spans) return last;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`trace ${id}: ${last?.spans.length ?? 0} of ${spans} spans after ${timeoutMs} ms`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

export function tag(span: JaegerSpan, key: string): unknown {
  return span.tags.find((t) => t.key === key)?.value;
}
