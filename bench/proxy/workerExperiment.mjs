#!/usr/bin/env node
// Experiment for docs/adr/0003-agent-runtime.md: does moving analysis to a worker thread help?
// Runs the tap three ways against the same fast upstream, each in its own process:
//   main    — the agent as shipped: analysis on the main thread behind the bounded queue
//   worker  — each copy posted to a worker thread that decodes and counts
//   batched — copies collected and posted to the worker every 1 ms (or 64 copies)
// and measures maximum throughput (wrk, 1 KB OIP v2 POST) and latency at 1,000 req/s.
// Usage: npm run build && node bench/proxy/workerExperiment.mjs [--seconds 10]
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { oipRequest, padId, referenceProfile, uniformCreditRow } from "./inputs.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const dist = (p) => join(root, "dist", p);
const { creditModelYaml } = await import(dist("demo/creditData.js"));

function configText(upstreamPort, tapPort, metricsPort) {
  return `service: x
models:
${creditModelYaml({ reference: "./credit.json" })}tap: {listen: "127.0.0.1:${tapPort}", upstream: "http://127.0.0.1:${upstreamPort}"}
metrics: {listen: "127.0.0.1:${metricsPort}"}
`;
}

// --- worker side: decode and count
if (!isMainThread) {
  const { parseConfig } = await import(dist("config/load.js"));
  const { loadLayout } = await import(dist("monitor/loadProfiles.js"));
  const { AgentMetrics } = await import(dist("export/metrics.js"));
  const { ModelMonitor } = await import(dist("monitor/modelMonitor.js"));
  const { Analyzer } = await import(dist("monitor/analyzer.js"));
  const { adapterFor } = await import(dist("adapters/adapterFor.js"));
  const config = parseConfig(workerData.text, "x", workerData.dir);
  const m = config.models[0];
  const metrics = new AgentMetrics({ version: "x", processMetrics: false });
  const runtime = {
    name: m.name,
    adapter: adapterFor(m),
    monitor: new ModelMonitor(m, loadLayout(m), metrics),
  };
  const analyzer = new Analyzer(metrics);
  let n = 0;
  const one = (x) => {
    analyzer.handle({ kind: "exchange", model: runtime, source: "tap", encoded: false, exchange: x });
    n++;
  };
  parentPort.on("message", (msg) => {
    if (msg === "count") parentPort.postMessage(n);
    else if (Array.isArray(msg)) for (const x of msg) one(x);
    else one(msg);
  });
} else if (process.argv[2] === "serve") {
  // --- a tap process in one of the three modes
  const [, , , mode, dir, upstreamPort, tapPort, metricsPort] = process.argv;
  const text = configText(upstreamPort, tapPort, metricsPort);
  if (mode === "main") {
    const { parseConfig } = await import(dist("config/load.js"));
    const { Agent } = await import(dist("cli/agent.js"));
    await new Agent(parseConfig(text, "x", dir)).start();
  } else {
    const { Tap } = await import(dist("tap/proxy.js"));
    const { RouteTable } = await import(dist("tap/routeTable.js"));
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { text, dir } });
    let batch = [];
    const flush = () => {
      if (batch.length > 0) worker.postMessage(batch);
      batch = [];
    };
    if (mode === "batched") setInterval(flush, 1).unref();
    const tap = new Tap({
      upstream: `http://127.0.0.1:${upstreamPort}`,
      maxBodyBytes: 1048576,
      timeoutMs: 30000,
      routes: new RouteTable([{ name: "credit", route: "/v2/models/credit" }]),
      sink: {
        exchange(_t, x) {
          if (mode === "worker") worker.postMessage(x);
          else {
            batch.push(x);
            if (batch.length >= 64) flush();
          }
        },
        drop() {},
        request() {},
      },
    });
    await tap.listen("127.0.0.1", Number(tapPort));
  }
  process.stdout.write("ready\n");
} else {
  // --- driver
  const args = process.argv.slice(2);
  const seconds = Number(args[args.indexOf("--seconds") + 1] || 10);
  const { parseConfig } = await import(dist("config/load.js"));
  const { fixedRate } = await import("./fixedRate.mjs");
  const dir = mkdtempSync(join(tmpdir(), "infermon-worker-"));
  const P = { upstream: 18_921, tap: 18_923, metrics: 18_924 };
  const config = parseConfig(configText(P.upstream, P.tap, P.metrics), "x", dir);
  let seed = 3;
  const row = uniformCreditRow(() => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  });
  writeFileSync(join(dir, "credit.json"), JSON.stringify(referenceProfile(config.models[0], row)));
  const body = padId(oipRequest(Array.from({ length: 14 }, row), "x"), "x", 1024);
  const BODY = Buffer.from(body);
  const lua = join(dir, "post.lua");
  writeFileSync(
    lua,
    `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(body)}\n`,
  );
  const kids = [];
  process.on("exit", () => {
    for (const k of kids) k.kill("SIGTERM");
  });
  const up = spawn(process.execPath, [join(here, "upstream.mjs"), String(P.upstream)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  kids.push(up);
  await new Promise((r) => up.stdout.once("data", r));
  const out = {};
  const modes = ["main", "worker", "batched"];
  for (const round of [1, 2]) {
    for (const mode of modes) {
      const tap = spawn(
        process.execPath,
        [
          fileURLToPath(import.meta.url),
          "serve",
          mode,
          dir,
          String(P.upstream),
          String(P.tap),
          String(P.metrics),
        ],
        {
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      kids.push(tap);
      await new Promise((r) => tap.stdout.once("data", r));
      await fixedRate({
        url: `http://127.0.0.1:${P.tap}`,
        path: "/v2/models/credit/infer",
        body: BODY,
        rate: 1000,
        seconds: 5,
      });
      const lat = await fixedRate({
        url: `http://127.0.0.1:${P.tap}`,
        path: "/v2/models/credit/infer",
        body: BODY,
        rate: 1000,
        seconds,
      });
      const w = execFileSync(
        "wrk",
        ["-t1", "-c32", `-d${seconds}s`, "-s", lua, `http://127.0.0.1:${P.tap}/v2/models/credit/infer`],
        { encoding: "utf8" },
      );
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(w)?.[1]);
      out[mode] ??= [];
      out[mode].push({ rps: Math.round(rps), p50: lat.p50, p99: lat.p99 });
      console.error(
        `round ${round} ${mode}: ${Math.round(rps)} req/s, p99 at 1,000 req/s ${lat.p99.toFixed(2)} ms`,
      );
      tap.kill("SIGTERM");
      await new Promise((r) => tap.once("exit", r));
    }
  }
  console.log("| mode | max req/s (wrk, per round) | p50 / p99 at 1,000 req/s, ms (per round) |");
  console.log("| --- | --- | --- |");
  for (const mode of modes)
    console.log(
      `| ${mode} | ${out[mode].map((x) => x.rps).join(", ")} | ${out[mode].map((x) => `${x.p50.toFixed(2)} / ${x.p99.toFixed(2)}`).join("; ")} |`,
    );
  process.exit(0);
}
