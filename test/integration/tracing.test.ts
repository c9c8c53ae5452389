// Tracing end to end against a real OTLP gRPC receiver (Jaeger, built from the Go module proxy):
// requests through the tap of `infermon run`, spans read back from Jaeger's query API (attributes,
// parent/child), the traceparent the upstream received, analysis spans linked to a CloudEvent's
// producer, trace ids in log lines, exemplars read back as OpenMetrics by a real Prometheus with
// exemplar storage, spans flushed on SIGTERM, and no Authorization value anywhere in stdout.
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { type AgentProcess, startAgent } from "../helpers/agentProcess.js";
import { send } from "../helpers/http.js";
import { type Jaeger, type JaegerSpan, requireJaeger, startJaeger, tag } from "../helpers/jaeger.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";
import { freePort } from "../helpers/peerProcess.js";
import { requireTool } from "../helpers/peers.js";

const SECRET = "Bearer s3cr3t-t0ken-do-not-log";
const COOKIE = "session=c00kie-do-not-log";
const API_KEY = "k3y-do-not-log";
const CLIENT_TRACE = "0af7651916cd43dd8448eb211c80319c";
const CLIENT_SPAN = "b7ad6b7169203331";

const haveJaeger = requireJaeger();

function kind(s: JaegerSpan): unknown {
  return tag(s, "span.kind");
}

describe.skipIf(!haveJaeger)("tracing to Jaeger over OTLP gRPC", () => {
  let jaeger: Jaeger;
  let upstream: ModelServer;
  let agent: AgentProcess;
  let tap: string;

  beforeAll(async () => {
    [jaeger, upstream] = await Promise.all([startJaeger(), startModelServer()]);
    const { file } = writeFixture({ upstream: upstream.url, ingest: true, timeout: "1s" });
    appendFileSync(
      file,
      "tracing: {enabled: true, sample_ratio: 1.0}\nlogging: {level: info, log_payloads: true, redact_headers: [x-team-token]}\n",
    );
    agent = await startAgent(file, {
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlp,
      OTEL_BSP_SCHEDULE_DELAY: "100",
      K8S_POD_NAME: "credit-7d9f-abcde",
      K8S_NAMESPACE_NAME: "ml",
      K8S_NODE_NAME: "node-1",
    });
    tap = `http://127.0.0.1:${agent.ports.tap}`;
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await Promise.all([jaeger?.stop(), upstream?.close()]);
  });

  it("continues the client's traceparent: server span, child client span, upstream gets the client span", async () => {
    const before = upstream.headers.length;
    const r = await send(`${tap}/v2/models/credit/infer`, {
      body: oipRequest([creditRow(rng(1))]),
      headers: {
        "content-type": "application/json",
        "x-request-id": "req-traced-1",
        traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`,
        tracestate: "vendor=abc",
        authorization: SECRET,
        cookie: COOKIE,
        "x-api-key": API_KEY,
      },
    });
    expect(r.status).toBe(200);
    const received = upstream.headers[before]?.traceparent as string;
    const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(received);
    expect(m?.[1]).toBe(CLIENT_TRACE);
    expect(m?.[2]).not.toBe(CLIENT_SPAN);
    expect(upstream.headers[before]?.tracestate).toBe("vendor=abc");

    const t = await jaeger.waitForTrace(CLIENT_TRACE, 2);
    const server = t.spans.find((s) => kind(s) === "server") as JaegerSpan;
    const client = t.spans.find((s) => kind(s) === "client") as JaegerSpan;
    expect(server.operationName).toBe("POST /v2/models/credit");
    expect(server.references).toContainEqual(
      expect.objectContaining({ refType: "CHILD_OF", spanID: CLIENT_SPAN, traceID: CLIENT_TRACE }),
    );
    expect(client.references).toContainEqual(
      expect.objectContaining({ refType: "CHILD_OF", spanID: server.spanID }),
    );
    // the upstream's parent is the tap's client span
    expect(m?.[2]).toBe(client.spanID);
    for (const [k, v] of Object.entries({
      "http.request.method": "POST",
      "http.route": "/v2/models/credit",
      "url.path": "/v2/models/credit/infer",
      "http.response.status_code": 200,
      "infermon.model": "credit",
      "infermon.model_version": "3",
      "infermon.request_id": "req-traced-1",
    }))
      expect(tag(server, k), k).toBe(v);
    expect(tag(client, "http.response.status_code")).toBe(200);
    expect(tag(client, "server.address")).toBe("127.0.0.1");
    expect(tag(client, "url.full")).toBe(`${upstream.url}/v2/models/credit/infer`);
    const proc = t.processes[server.processID];
    expect(proc?.serviceName).toBe("infermon");
    const ptag = (k: string) => proc?.tags.find((x) => x.key === k)?.value;
    expect(ptag("service.namespace")).toBe("test");
    expect(ptag("k8s.pod.name")).toBe("credit-7d9f-abcde");
    expect(ptag("k8s.namespace.name")).toBe("ml");
    expect(ptag("k8s.node.name")).toBe("node-1");
    // no header value reached the spans either
    expect(JSON.stringify(t)).not.toContain("s3cr3t");
  }, 60_000);

  it("creates a traceparent when the client sent none (sampled)", async () => {
    const before = upstream.headers.length;
    const r = await send(`${tap}/v2/models/credit/infer`, { body: oipRequest([creditRow(rng(2))]) });
    expect(r.status).toBe(200);
    const received = upstream.headers[before]?.traceparent as string;
    const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(received);
    expect(m).not.toBeNull();
    const t = await jaeger.waitForTrace(m?.[1] as string, 2);
    const server = t.spans.find((s) => kind(s) === "server") as JaegerSpan;
    expect(server.references ?? []).toEqual([]);
    expect(tag(server, "infermon.request_id")).toBe(r.headers["x-request-id"]);
  }, 60_000);

  it("writes trace_id and span_id into the log lines of a request (upstream timeout, unreadable body)", async () => {
    const slow = await send(`${tap}/v2/models/credit/infer?delay=1500`, {
      body: oipRequest([creditRow(rng(3))]),
      headers: { "x-request-id": "req-slow-1", authorization: SECRET },
    });
    expect(slow.status).toBe(504);
    // the model answers 200 with a body that is not its protocol: analysis logs it
    const bad = await send(`${tap}/v2/models/credit/infer`, {
      body: oipRequest([creditRow(rng(3))]),
      headers: {
        "x-request-id": "req-bad-1",
        authorization: SECRET,
        "x-reply-b64": Buffer.from('{"outputs": [{"name": "probability", "data": [0.').toString("base64"),
      },
    });
    expect(bad.status).toBe(200);
    let lines: Record<string, unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      lines = agent.lines();
      if (lines.some((l) => l.request_id === "req-bad-1")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const timeout = lines.find((l) => l.request_id === "req-slow-1");
    const parse = lines.find((l) => l.request_id === "req-bad-1");
    expect(timeout).toMatchObject({ level: 40, msg: "upstream timed out" });
    expect(parse).toMatchObject({ level: 40, msg: "a body could not be read as the model's protocol" });
    for (const l of [timeout, parse]) {
      expect(l?.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(l?.span_id).toMatch(/^[0-9a-f]{16}$/);
      // the ids are the request's server span in Jaeger
      const t = await jaeger.waitForTrace(l?.trace_id as string, 2);
      const server = t.spans.find((s) => kind(s) === "server");
      expect(server?.spanID).toBe(l?.span_id);
      expect(tag(server as JaegerSpan, "infermon.request_id")).toBe(l?.request_id);
    }
    const t = await jaeger.waitForTrace(timeout?.trace_id as string, 2);
    const server = t.spans.find((s) => kind(s) === "server") as JaegerSpan;
    expect(tag(server, "http.response.status_code")).toBe(504);
    expect(tag(server, "error.type")).toBe("504");
  }, 60_000);

  it("gives a CloudEvent with ce-traceparent an analysis span linked to the producer", async () => {
    const producerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const producerSpan = "00f067aa0ba902b7";
    const ingest = `http://127.0.0.1:${agent.ports.ingest}/`;
    const rows = [creditRow(rng(4))];
    const ce = (type: string, body: string) =>
      send(ingest, {
        body,
        headers: {
          "content-type": "application/json",
          "ce-specversion": "1.0",
          "ce-id": "ce-traced-1",
          "ce-type": type,
          "ce-source": "seldon",
          "ce-modelid": "credit",
          "ce-traceparent": `00-${producerTrace}-${producerSpan}-01`,
        },
      });
    expect((await ce("io.seldon.serving.inference.request", oipRequest(rows))).status).toBe(202);
    const response = JSON.stringify({
      model_name: "credit",
      outputs: [{ name: "probability", shape: [1], datatype: "FP64", data: [0.4] }],
    });
    expect((await ce("io.seldon.serving.inference.response", response)).status).toBe(202);
    // the analysis span is a root of its own trace with a link to the producer's span
    const deadline = Date.now() + 20_000;
    let found: JaegerSpan | undefined;
    while (!found && Date.now() < deadline) {
      const r = await fetch(
        `${jaeger.query}/api/traces?service=infermon&operation=analyze%20credit&limit=20`,
      );
      const body = (await r.json()) as { data?: { spans: JaegerSpan[] }[] };
      found = body.data?.flatMap((t) => t.spans).find((s) => tag(s, "infermon.request_id") === "ce-traced-1");
      if (!found) await new Promise((r) => setTimeout(r, 250));
    }
    expect(found).toBeDefined();
    expect(found?.traceID).not.toBe(producerTrace);
    expect(found?.references).toContainEqual(
      expect.objectContaining({ traceID: producerTrace, spanID: producerSpan }),
    );
    expect(tag(found as JaegerSpan, "infermon.source")).toBe("cloudevents");
    expect(kind(found as JaegerSpan)).toBe("consumer");
  }, 60_000);

  it("exports trace_id exemplars as OpenMetrics that a real Prometheus stores; plain text otherwise", async () => {
    const metrics = `http://127.0.0.1:${agent.ports.metrics}/metrics`;
    const om = await send(metrics, { headers: { accept: "application/openmetrics-text;version=1.0.0" } });
    expect(om.headers["content-type"]).toMatch(/^application\/openmetrics-text/);
    const text = om.body.toString();
    expect(text.endsWith("# EOF\n")).toBe(true);
    const ex = [
      ...text.matchAll(
        /^infermon_inference_request_duration_seconds_bucket\{[^}]*\} \d+ # \{trace_id="([0-9a-f]{32})"\}/gm,
      ),
    ].map((x) => x[1]);
    expect(ex).toContain(CLIENT_TRACE);
    expect(text).toMatch(/^infermon_inference_requests_total\{/m);
    const plain = await send(metrics);
    expect(plain.headers["content-type"]).toMatch(/^text\/plain; version=0.0.4/);
    expect(plain.body.toString()).not.toContain("trace_id");
    // counters keep their name in the Prometheus format after an OpenMetrics scrape
    expect(plain.body.toString()).toMatch(/^infermon_inference_requests_total\{/m);

    if (!requireTool("prometheus")) return;
    const dir = mkdtempSync(join(tmpdir(), "infermon-prom-"));
    const port = await freePort();
    writeFileSync(
      join(dir, "prometheus.yml"),
      `global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: infermon\n    static_configs: [{targets: ["127.0.0.1:${agent.ports.metrics}"]}]\n`,
    );
    const prom = spawn(
      "prometheus",
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--enable-feature=exemplar-storage",
      ],
      { stdio: "ignore" },
    );
    try {
      const deadline = Date.now() + 40_000;
      let traces: string[] = [];
      while (Date.now() < deadline) {
        try {
          const now = Date.now() / 1000;
          const r = await fetch(
            `http://127.0.0.1:${port}/api/v1/query_exemplars?query=infermon_inference_request_duration_seconds_bucket&start=${now - 3600}&end=${now + 60}`,
          );
          const body = (await r.json()) as {
            data?: { exemplars: { labels: { trace_id?: string } }[] }[];
          };
          traces = (body.data ?? []).flatMap((s) => s.exemplars.map((e) => e.labels.trace_id ?? ""));
          if (traces.length > 0) break;
        } catch {
          // not up yet
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(traces.length).toBeGreaterThan(0);
      for (const id of traces) expect(ex).toContain(id);
    } finally {
      prom.kill("SIGTERM");
    }
  }, 90_000);

  it("flushes spans on SIGTERM and never prints an Authorization, Cookie or API-key value", async () => {
    // a second agent whose batch processor would wait 60 s: only the shutdown flush exports its spans
    const { file } = writeFixture({ upstream: upstream.url });
    appendFileSync(
      file,
      "tracing: {enabled: true, sample_ratio: 1.0}\nlogging: {level: trace, log_payloads: true}\n",
    );
    const a = await startAgent(file, {
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlp,
      OTEL_BSP_SCHEDULE_DELAY: "60000",
    });
    const trace = "5bf92f3577b34da6a3ce929d0e0e4799";
    const r = await send(`http://127.0.0.1:${a.ports.tap}/v2/models/credit/infer`, {
      body: oipRequest([creditRow(rng(5))]),
      headers: { traceparent: `00-${trace}-${CLIENT_SPAN}-01`, authorization: SECRET },
    });
    expect(r.status).toBe(200);
    expect(await a.stop()).toBe(0);
    // the agent has exited, so only its shutdown flush can have sent these; Jaeger stores what it
    // receives asynchronously, hence the short poll
    expect((await jaeger.waitForTrace(trace, 2, 5_000)).spans).toHaveLength(2);
    for (const out of [a.stdout(), a.stderr(), agent.stdout(), agent.stderr()]) {
      for (const secret of ["s3cr3t", "c00kie", "k3y-do-not-log"]) expect(out).not.toContain(secret);
    }
  }, 60_000);
});
