// Where a sampled request's tracing cost goes: the tap's two spans (tapTracing.ts) created and ended
// in a loop, exported through a batch processor either to nowhere ("null") or over OTLP gRPC to a
// discarding receiver ("otlp", start `node bench/proxy/otlpSink.mjs 18910` first). Batches of 500
// requests with a pause, so the queue never overflows and every span is exported. CPU per request.
// Usage: npm run build && node bench/proxy/tracingMicro.mjs RATIO null|otlp [sdk]
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

const root = new URL("../../", import.meta.url).pathname;
const { tapTracer } = await import(`${root}dist/export/tapTracing.js`);
const { samplerFor } = await import(`${root}dist/export/sampler.js`);
const ratio = Number(process.argv[2] ?? 1);
const mode = process.argv[3] ?? "otlp";
const exporter =
  mode === "otlp"
    ? new OTLPTraceExporter({ url: "http://127.0.0.1:18910" })
    : { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const provider = new TracerProvider({
  sampler: samplerFor(undefined, ratio),
  spanProcessors: [new BatchSpanProcessor({ exporter })],
});
// "sdk" as 3rd argument: every request asks the SDK's sampler (the tap before its own root draw)
const askSdk = process.argv[4] === "sdk";
const tt = tapTracer(provider.getTracer("bench"), "http://127.0.0.1:9000", askSdk ? undefined : ratio);
const req = { method: "POST", url: "/v2/models/credit/infer", httpVersion: "1.1", headers: {}, socket: {} };
const target = { name: "credit", version: "3", route: "/v2/models/credit" };
const N = 500;
const K = 200;
const run = () => {
  for (let i = 0; i < N; i++) {
    const t = tt.start(req, target, `req-${i}`, undefined, undefined);
    t.upstreamResponded(200);
    t.upstreamEnded();
    t.end(200, false);
  }
};
run(); // warm-up
const c0 = process.cpuUsage();
for (let k = 0; k < K; k++) {
  run();
  await new Promise((r) => setTimeout(r, 60));
}
await provider.forceFlush();
const c = process.cpuUsage(c0);
console.log(
  `${mode} ratio ${ratio}${askSdk ? " (sdk sampler)" : ""}: ${((c.user + c.system) / (K * N)).toFixed(2)} µs CPU per request`,
);
await provider.shutdown();
