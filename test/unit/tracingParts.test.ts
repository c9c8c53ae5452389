// The pure parts of tracing: OTEL_* checking, trace-context links (Kafka/CloudEvents headers),
// the tap's spans on an in-memory exporter, exemplars and the OpenMetrics view, log redaction.
import { Writable } from "node:stream";
import { type Link, SpanKind, TraceFlags } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import fc from "fast-check";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { analysisTracer } from "../../src/export/analysisTracing.js";
import { BoundCounter, BoundHistogram } from "../../src/export/boundMetrics.js";
import { createLogger } from "../../src/export/logger.js";
import { openMetricsText, wantsOpenMetrics } from "../../src/export/openMetrics.js";
import { DEFAULT_OTLP_GRPC_ENDPOINT, OtelEnvError, readOtelEnv } from "../../src/export/otelEnv.js";
import { samplerFor } from "../../src/export/sampler.js";
import { tapTracer } from "../../src/export/tapTracing.js";
import { linkFromHeaders } from "../../src/export/traceContext.js";

const TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

describe("readOtelEnv", () => {
  it("defaults when nothing (or empty strings) is set", () => {
    for (const env of [{}, { OTEL_TRACES_SAMPLER: "", OTEL_EXPORTER_OTLP_ENDPOINT: " " }])
      expect(readOtelEnv(env)).toEqual({
        disabled: false,
        sampler: undefined,
        endpoint: DEFAULT_OTLP_GRPC_ENDPOINT,
        headerNames: [],
      });
  });

  it("reads the standard variables; the traces-specific one wins", () => {
    const e = readOtelEnv({
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.25",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://general:4317",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://user:pw@tempo.example:443",
      OTEL_EXPORTER_OTLP_HEADERS: "X-Scope-OrgID=team-a,authorization=Basic%20abc",
    });
    expect(e.sampler).toEqual({ name: "parentbased_traceidratio", ratio: 0.25 });
    expect(e.endpoint).toBe("https://[redacted]@tempo.example:443"); // credentials never kept for messages
    // a password with "@" in it loses all of it, not only what comes before its first "@"
    expect(readOtelEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://u:p@ss@t:443" }).endpoint).toBe(
      "https://[redacted]@t:443",
    );
    expect(e.headerNames).toEqual(["x-scope-orgid", "authorization"]);
    expect(readOtelEnv({ OTEL_TRACES_EXPORTER: "none" }).disabled).toBe(true);
    expect(readOtelEnv({ OTEL_SDK_DISABLED: "TRUE" }).disabled).toBe(true);
    expect(readOtelEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4317" }).endpoint).toBe("collector:4317");
  });

  it("names every bad variable at once", () => {
    try {
      readOtelEnv({ OTEL_TRACES_SAMPLER: "x", OTEL_BSP_SCHEDULE_DELAY: "soon", OTEL_PROPAGATORS: "b3" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(OtelEnvError);
      expect((e as OtelEnvError).issues.map((i) => i.variable)).toEqual([
        "OTEL_TRACES_SAMPLER",
        "OTEL_BSP_SCHEDULE_DELAY",
        "OTEL_PROPAGATORS",
      ]);
    }
  });

  it("never puts an OTLP header value in a message", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 6 }).filter((s) => !s.includes(",")),
        (secret) => {
          try {
            readOtelEnv({ OTEL_EXPORTER_OTLP_HEADERS: `=${secret}` });
            return true;
          } catch (e) {
            return !(e as Error).message.includes(secret);
          }
        },
      ),
    );
  });
});

describe("linkFromHeaders", () => {
  it("reads traceparent from Kafka record headers (Buffers) and CloudEvents headers", () => {
    const kafka = linkFromHeaders({ traceparent: Buffer.from(TP), tracestate: Buffer.from("a=b") });
    expect(kafka?.context).toMatchObject({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(kafka?.context.traceState?.get("a")).toBe("b");
    expect(linkFromHeaders({ "Ce-Traceparent": TP })?.context.spanId).toBe("b7ad6b7169203331");
    expect(linkFromHeaders({ traceparent: [TP, "junk"] })?.context.traceId).toBe(
      "0af7651916cd43dd8448eb211c80319c",
    );
  });

  it("is undefined without a valid traceparent", () => {
    for (const h of [
      undefined,
      {},
      { traceparent: "junk" },
      { traceparent: `00-${"0".repeat(32)}-b7ad6b7169203331-01` },
    ])
      expect(linkFromHeaders(h)).toBeUndefined();
  });
});

function provider(ratio: number) {
  const exporter = new InMemorySpanExporter();
  const p = new TracerProvider({
    sampler: samplerFor(undefined, ratio),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  return { exporter, tracer: p.getTracer("test") };
}

const target = { name: "credit", version: "3", route: "/v2/models/credit" };
const req = (url = "/v2/models/credit/infer?token=x") =>
  ({
    method: "POST",
    url,
    httpVersion: "1.1",
    headers: { host: "tap:8080" },
    socket: { remoteAddress: "10.0.0.9" },
  }) as never;

describe("tap spans", () => {
  it("server span with a client child; the upstream gets the client span as parent", () => {
    const { exporter, tracer } = provider(1);
    const t = tapTracer(tracer, "http://model:9000/base").start(req(), target, "r-1", TP, undefined);
    expect(t.traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    t.upstreamResponded(200);
    t.upstreamEnded();
    t.end(200, false);
    const [client, server] = exporter.getFinishedSpans();
    expect(server?.kind).toBe(SpanKind.SERVER);
    expect(server?.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
    expect(client?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(t.traceparent).toBe(`00-0af7651916cd43dd8448eb211c80319c-${client?.spanContext().spanId}-01`);
    expect(server?.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.route": "/v2/models/credit",
      "url.path": "/v2/models/credit/infer",
      "http.response.status_code": 200,
      "infermon.model": "credit",
      "infermon.model_version": "3",
      "infermon.request_id": "r-1",
    });
    // the query (tokens) stays out of the spans
    expect(client?.attributes["url.full"]).toBe("http://model:9000/base/v2/models/credit/infer");
  });

  it("not sampled: no span, no traceparent of its own (the client's passes as sent)", () => {
    const { exporter, tracer } = provider(0);
    const tt = tapTracer(tracer, "http://model:9000");
    const fresh = tt.start(req(), target, "r-2", undefined, undefined);
    expect(fresh.traceparent).toBeUndefined();
    expect(fresh.traceId).toBeUndefined();
    fresh.end(200, false);
    // a sampled parent is followed (parent-based) even at ratio 0
    const followed = tt.start(req(), target, "r-3", TP, undefined);
    expect(followed.traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    const unsampled = tt.start(req(), target, "r-4", TP.replace(/01$/, "00"), undefined);
    expect(unsampled.traceparent).toBeUndefined();
    followed.end(200, false);
    expect(exporter.getFinishedSpans()).toHaveLength(2);
  });

  it("with the root ratio known, a dropped request never reaches the SDK; kept roots are sampled once", () => {
    const { exporter, tracer } = provider(1);
    let calls = 0;
    const counting = {
      ...tracer,
      startSpan: (...a: Parameters<typeof tracer.startSpan>) => {
        calls++;
        return tracer.startSpan(...a);
      },
    } as typeof tracer;
    // ratio 0: no span for a request without traceparent, nor for an unsampled parent
    const none = tapTracer(counting, "http://model:9000", 0);
    for (let i = 0; i < 100; i++) none.start(req(), target, `d-${i}`, undefined, undefined).end(200, false);
    none.start(req(), target, "d-u", TP.replace(/01$/, "00"), undefined).end(200, false);
    expect(calls).toBe(0);
    // a sampled parent is still followed, and an invalid traceparent counts as none
    none.start(req(), target, "d-p", TP, undefined).end(200, false);
    none.start(req(), target, "d-x", "00-garbage-01", undefined).end(200, false);
    expect(calls).toBe(2);
    expect(exporter.getFinishedSpans()).toHaveLength(2);
    // ratio 1 (the SDK's sampler at 1 too): every root kept, about half at 0.5
    const all = tapTracer(counting, "http://model:9000", 1);
    expect(all.start(req(), target, "k-1", undefined, undefined).traceId).toMatch(/^[0-9a-f]{32}$/);
    const half = tapTracer(provider(1).tracer, "http://model:9000", 0.5);
    let kept = 0;
    for (let i = 0; i < 2000; i++)
      if (half.start(req(), target, `h-${i}`, undefined, undefined).traceId) kept++;
    expect(kept).toBeGreaterThan(850);
    expect(kept).toBeLessThan(1150);
  });

  it("a kept root is sampled even when the SDK's own ratio would drop it (no second draw)", () => {
    const { exporter, tracer } = provider(0);
    const t = tapTracer(tracer, "http://model:9000", 1).start(req(), target, "k-2", undefined, undefined);
    expect(t.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    t.end(200, false);
    expect(exporter.getFinishedSpans()).toHaveLength(2);
  });

  it("a 5xx or a client that went away marks the server span as an error", () => {
    const { exporter, tracer } = provider(1);
    const t = tapTracer(tracer, "http://model:9000").start(req(), target, "r-5", undefined, undefined);
    t.upstreamEnded("UND_ERR_HEADERS_TIMEOUT");
    t.end(504, false);
    const [client, server] = exporter.getFinishedSpans();
    expect(client?.attributes["error.type"]).toBe("UND_ERR_HEADERS_TIMEOUT");
    expect(server?.attributes["error.type"]).toBe("504");
    expect(server?.status.code).toBe(2);
  });
});

describe("analysis spans", () => {
  it("are linked to the producer and kept when the producer sampled, even at ratio 0", () => {
    const { exporter, tracer } = provider(0);
    const link = linkFromHeaders({ traceparent: TP }) as Link;
    const w = analysisTracer(tracer).start("kafka", target, "r-6", link);
    expect(w).toBeDefined();
    w?.end();
    const [s] = exporter.getFinishedSpans();
    expect(s?.links[0]?.context.spanId).toBe("b7ad6b7169203331");
    expect(s?.parentSpanContext).toBeUndefined();
    expect(s?.attributes).toMatchObject({ "infermon.source": "kafka", "messaging.system": "kafka" });
    expect(analysisTracer(tracer).start("cloudevents", target, "r-7", undefined)).toBeUndefined();
  });

  it("the env sampler is wrapped the same way; always_off stays off", () => {
    const on = samplerFor({ name: "parentbased_traceidratio", ratio: 0 }, 1);
    expect(String(on)).toContain("LinkedProducerSampler");
    const off = samplerFor({ name: "always_off", ratio: 1 }, 1);
    expect(String(off)).not.toContain("LinkedProducerSampler");
    expect(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0) })).toBeDefined();
  });
});

describe("exemplars and OpenMetrics", () => {
  it("the latest sampled observation per bucket is its exemplar; OpenMetrics only", async () => {
    const reg = new Registry();
    const h = new BoundHistogram("x_seconds", "x", ["model"], [0.1, 1], reg);
    const c = new BoundCounter("x_requests_total", "x", ["model"], reg);
    const child = h.labels({ model: "m" });
    child.observe(0.05, "a".repeat(32));
    child.observe(0.06, "b".repeat(32));
    child.observe(0.5);
    child.observe(5, "c".repeat(32));
    c.inc({ model: "m" });
    const om = await openMetricsText(reg);
    expect(om).toMatch(/^x_seconds_bucket\{model="m",le="0.1"\} 2 # \{trace_id="b{32}"\} 0.06 \d+(\.\d+)?$/m);
    expect(om).toMatch(/^x_seconds_bucket\{model="m",le="1"\} 3$/m);
    expect(om).toMatch(/^x_seconds_bucket\{model="m",le="\+Inf"\} 4 # \{trace_id="c{32}"\} 5 /m);
    expect(om).toMatch(/^# TYPE x_requests counter\nx_requests_total\{model="m"\} 1$/m);
    expect(om.endsWith("# EOF\n")).toBe(true);
    // the Prometheus format has no exemplars, and an OpenMetrics scrape does not rename counters
    const text = await reg.metrics();
    expect(text).not.toContain("trace_id");
    expect(text).toMatch(/^# TYPE x_requests_total counter$/m);
  });

  it("asks for OpenMetrics only when the Accept header does (not with q=0)", () => {
    expect(
      wantsOpenMetrics(
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
      ),
    ).toBe(true);
    expect(wantsOpenMetrics("text/plain;version=0.0.4")).toBe(false);
    expect(wantsOpenMetrics(undefined)).toBe(false);
    expect(wantsOpenMetrics("application/openmetrics-text;q=0, text/plain")).toBe(false);
  });
});

describe("log redaction", () => {
  it("redacts authorization, cookie, x-api-key and configured headers wherever headers are logged", () => {
    let out = "";
    const dest = new Writable({
      write(chunk, _e, cb) {
        out += chunk;
        cb();
      },
    });
    const log = createLogger({
      level: "info",
      service: "t",
      redactHeaders: ["X-Team-Token"],
      destination: dest,
    });
    const headers = {
      authorization: "Bearer A1",
      cookie: "c=C1",
      "x-api-key": "K1",
      "x-team-token": "T1",
      "content-type": "application/json",
    };
    log.info({ headers }, "top");
    log.info({ req: { headers } }, "nested");
    log.info({ request_headers: headers }, "named");
    for (const v of ["A1", "C1", "K1", "T1"]) expect(out).not.toContain(v);
    expect(out.match(/application\/json/g)).toHaveLength(3);
  });
});
