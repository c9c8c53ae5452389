const root = new URL("../../", import.meta.url).pathname;
const { tapTracer } = await import(`${root}dist/export/tapTracing.js`);
const { TracerProvider, BatchSpanProcessor } = await import("@opentelemetry/sdk-trace");
const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-grpc");
const { samplerFor } = await import(`${root}dist/export/sampler.js`);
const ratio = Number(process.argv[2] ?? 1);
const mode = process.argv[3] ?? "otlp";
let exporter;
if (mode === "otlp") exporter = new OTLPTraceExporter({ url: "http://127.0.0.1:18910" });
else
  exporter = {
    export(spans, cb) {
      cb({ code: 0 });
    },
    shutdown: async () => {},
  };
const p = new TracerProvider({
  sampler: samplerFor(undefined, ratio),
  spanProcessors: [new BatchSpanProcessor({ exporter })],
});
const tt = tapTracer(p.getTracer("x"), "http://127.0.0.1:9000");
const req = {
  method: "POST",
  url: "/v2/models/credit/infer",
  httpVersion: "1.1",
  headers: { host: "127.0.0.1:8080" },
  socket: { remoteAddress: "127.0.0.1" },
};
const target = { name: "credit", version: "3", route: "/v2/models/credit" };
// batches of 500 requests with a pause, so the batch processor keeps up and every span is exported
const N = 500;
const run = () => {
  for (let i = 0; i < N; i++) {
    const t = tt.start(req, target, "req-" + i, undefined, undefined);
    t.upstreamResponded(200);
    t.upstreamEnded();
    t.end(200, false);
  }
};
run();
const c0 = process.cpuUsage();
const t0 = performance.now();
const K = 200;
for (let k = 0; k < K; k++) {
  run();
  await new Promise((r) => setTimeout(r, 60));
}
await p.forceFlush();
const c = process.cpuUsage(c0);
console.log(
  mode,
  ratio,
  "cpu µs/request",
  ((c.user + c.system) / (K * N)).toFixed(2),
  "wall",
  (((performance.now() - t0) * 1000) / (K * N)).toFixed(2),
);
