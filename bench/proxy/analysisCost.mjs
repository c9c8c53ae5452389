#!/usr/bin/env node
// Figures for the worker-thread decision (docs/adr/0003-agent-runtime.md): the main-thread cost of
// analysing one tapped exchange (the proxy benchmark's 1 KB OIP v2 request, 14 rows, and its
// response), and the cost of only handing the same two copies to a worker thread with postMessage.
// Usage: npm run build && node bench/proxy/analysisCost.mjs
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { gzipSync } from "node:zlib";
import { oipRequest, referenceProfile, uniformCreditRow } from "./inputs.mjs";

const root = join(fileURLToPath(import.meta.url), "../../..");
const { parseConfig } = await import(join(root, "dist/config/load.js"));
const { BinLayout } = await import(join(root, "dist/stats/binLayout.js"));
const { AgentMetrics } = await import(join(root, "dist/export/metrics.js"));
const { ModelMonitor } = await import(join(root, "dist/monitor/modelMonitor.js"));
const { Analyzer } = await import(join(root, "dist/monitor/analyzer.js"));
const { openInferenceV2 } = await import(join(root, "dist/adapters/openInferenceV2.js"));

const config = parseConfig(`service: b
models:
  - name: credit
    version: "3"
    task: binary_classification
    protocol: open-inference-v2
    features:
      - {name: income, type: numeric}
      - {name: age, type: numeric, bins: 5}
      - {name: score, type: numeric, edges: [300, 580, 670, 740, 800]}
      - {name: region, type: categorical, top_k: 20}
    prediction: {output: probability, classes: ["0", "1"]}
    windows: [5m, 1h]
    min_samples: 200
`);
const model = config.models[0];
let seed = 1;
const row = uniformCreditRow(() => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
});
const layout = BinLayout.fromProfile(referenceProfile(model, row), model);
const metrics = new AgentMetrics({ version: "bench", processMetrics: false });
const runtime = {
  name: "credit",
  adapter: openInferenceV2(model),
  monitor: new ModelMonitor(model, layout, metrics),
};
const analyzer = new Analyzer(metrics);

const n = 14;
const rs = Array.from({ length: n }, row);
const request = Buffer.from(oipRequest(rs, "b".repeat(300)));
const response = Buffer.from(
  JSON.stringify({
    model_name: "credit",
    model_version: "3",
    outputs: [{ name: "probability", shape: [n], datatype: "FP64", data: rs.map((x) => x.probability) }],
  }),
);

function timeIt(label, iterations, fn) {
  for (let i = 0; i < 2000; i++) fn(i);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(i);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / iterations;
  console.log(`${label}: ${us.toFixed(2)} µs per exchange`);
  return us;
}

const analyse = timeIt(
  "analyse on the main thread (decode 14 rows + bin + 2 windows + counters)",
  50_000,
  (i) =>
    analyzer.handle({
      kind: "exchange",
      model: runtime,
      source: "tap",
      exchange: { request, response, requestId: `r${i}`, time: Date.now() },
    }),
);

// hand-off only: post the two copies to a worker that does nothing with them
const worker = new Worker(
  "const { parentPort } = require('node:worker_threads'); let n = 0; parentPort.on('message', () => { if (++n % 10000 === 0) parentPort.postMessage(n); });",
  { eval: true },
);
const total = 50_000;
const done = new Promise((resolve) => worker.on("message", (m) => m >= total && resolve()));
const t0 = process.hrtime.bigint();
for (let i = 0; i < total; i++)
  worker.postMessage({ request, response, requestId: `r${i}`, time: Date.now() });
const postUs = Number(process.hrtime.bigint() - t0) / 1000 / total;
await done;
console.log(
  `postMessage of the same copies to a worker (main-thread side only): ${postUs.toFixed(2)} µs per exchange`,
);
await worker.terminate();
console.log(
  `at 1,000 req/s: analysis ${(analyse / 10).toFixed(2)}% of one core on the main thread; the worker hand-off alone ${(postUs / 10).toFixed(2)}%`,
);

// compressed copies (docs/adr/0011-traffic-bounds.md): the same exchange with both bodies gzip'd,
// through the analyser (one-shot decompression in the pass, then the same analysis), and the
// streaming decompressor the agent uses for bodies over 64 KiB, on the same small bodies
{
  const { inflate } = await import(join(root, "dist/monitor/decompress.js"));
  const gzRequest = gzipSync(request);
  const gzResponse = gzipSync(response);
  const encodings = { request: "gzip", response: "gzip" };
  const oneShot = new Analyzer(metrics, Date.now, () => {}, {
    maxBodyBytes: 1 << 20,
    resubmit: () => true,
    drop: () => {},
  });
  timeIt("analyse a gzip'd exchange (one-shot decompression + the same analysis)", 20_000, (i) =>
    oneShot.handle({
      kind: "exchange",
      model: runtime,
      source: "tap",
      encodings,
      exchange: { request: gzRequest, response: gzResponse, requestId: `z${i}`, time: Date.now() },
    }),
  );
  const rounds = 300;
  const batch = 32;
  const run = async () => {
    for (let r = 0; r < rounds; r++)
      await Promise.all(
        Array.from({ length: batch }, () =>
          Promise.all([inflate(gzRequest, ["gzip"], 1 << 20), inflate(gzResponse, ["gzip"], 1 << 20)]),
        ),
      );
  };
  await run(); // warm-up
  const elu0 = performance.eventLoopUtilization();
  await run();
  const elu = performance.eventLoopUtilization(elu0);
  console.log(
    `streaming decompression of the same two bodies (32 at once): ${((elu.active * 1000) / (rounds * batch)).toFixed(2)} µs of main thread per exchange`,
  );
}
