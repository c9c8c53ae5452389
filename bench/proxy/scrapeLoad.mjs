#!/usr/bin/env node
// The proxy's event loop under big scrapes and ingest floods (issue #16 §4): one agent with 100
// models × 50 features (≈150k series), fixed-rate inference traffic through the tap, and in turn
//   - quiet:  nothing else
//   - scrape: back-to-back GET /metrics (one in flight at a time)
//   - flood:  back-to-back ~13.7 MiB NDJSON bodies of events to the ingest (one in flight)
// interleaved in rounds, so other work on the machine falls on every condition alike. The tap's
// latency percentiles per condition, the scrape and ingest-body durations, and the copies shed.
// Then the shed rate by load: fixed rates on one model, the agent's CPU share from /proc, and
// `infermon_events_dropped_total{reason="overload"}` per rate.
// With --baseline DIST_DIR the same conditions run against that build too (the previous version).
// Usage: npm run build && node bench/proxy/scrapeLoad.mjs [--rate 200] [--seconds 5] [--rounds 3]
//          [--models 100] [--features 50] [--shed-rates 500,1000,2000,3000] [--shed-seconds 15]
//          [--baseline DIST_DIR]
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";
import { flags } from "../flags.mjs";
import { fixedRate } from "./fixedRate.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const args = flags();
const RATE = Number(args.rate ?? 200);
const SECONDS = Number(args.seconds ?? 5);
const ROUNDS = Number(args.rounds ?? 3);
const MODELS = Number(args.models ?? 100);
const FEATURES = Number(args.features ?? 50);
const SHED_RATES = String(args["shed-rates"] ?? "500,1000,2000,3000")
  .split(",")
  .filter(Boolean)
  .map(Number);
const SHED_SECONDS = Number(args["shed-seconds"] ?? 15);
const FLOOD_BYTES = Number(args["flood-bytes"] ?? 13.7 * 1024 * 1024);
const ROWS = 14; // upstream.mjs answers 14 probabilities

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (s) => process.stderr.write(`${s}\n`);
const children = [];
process.on("exit", () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});
process.on("SIGINT", () => process.exit(130));

const dir = mkdtempSync(join(tmpdir(), "infermon-scrape-"));
const { parseConfig } = await import(join(root, "dist/config/load.js"));
const { ProfileBuilder } = await import(join(root, "dist/stats/profileBuilder.js"));

// --- seeded inputs
let seed = 12345;
const next = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const name = (i) => `m${String(i).padStart(3, "0")}`;
const fname = (j) => `f${String(j).padStart(2, "0")}`;
const featureRow = () => {
  const x = {};
  for (let j = 0; j < FEATURES; j++) x[fname(j)] = Math.round(1000 * next() * (1 + j)) / 1000;
  return x;
};

function configText(p) {
  const models = [];
  for (let i = 0; i < MODELS; i++) {
    models.push(`  - name: ${name(i)}
    version: "1"
    task: binary_classification
    protocol: open-inference-v2
    route: /v2/models/${name(i)}
    features: [${Array.from({ length: FEATURES }, (_, j) => `{name: ${fname(j)}, type: numeric}`).join(", ")}]
    prediction: {output: probability, threshold: 0.5, classes: ["0", "1"]}
    reference: ./${name(i)}.json
    windows: [5m, 1h]
    min_samples: 50
`);
  }
  return `service: scrapebench
models:
${models.join("")}tap: {listen: "127.0.0.1:${p.tap}", upstream: "http://127.0.0.1:${p.upstream}", max_body_bytes: 1048576, queue_size: 10000, timeout: 30s}
ingest: {listen: "127.0.0.1:${p.ingest}"}
metrics: {listen: "127.0.0.1:${p.metrics}"}
logging: {level: error}
`;
}

const PORTS = { upstream: 18_931, tap: 18_932, ingest: 18_933, metrics: 18_934 };
writeFileSync(join(dir, "infermon.yaml"), configText(PORTS));
const config = parseConfig(readFileSync(join(dir, "infermon.yaml"), "utf8"), "bench", dir);
const refRows = Array.from({ length: 1000 }, featureRow);
for (const m of config.models) {
  const pb = new ProfileBuilder(m);
  for (const x of refRows) pb.observe({ ...x, probability: next() });
  pb.fixBins();
  for (const x of refRows) pb.count({ ...x, probability: next() });
  writeFileSync(join(dir, `${m.name}.json`), JSON.stringify(pb.build()));
}

// a 14-row OIP v2 request for model 0, one tensor per feature
const rows = Array.from({ length: ROWS }, featureRow);
const BODY = Buffer.from(
  JSON.stringify({
    id: "bench",
    inputs: Array.from({ length: FEATURES }, (_, j) => ({
      name: fname(j),
      shape: [ROWS],
      datatype: "FP64",
      data: rows.map((r) => r[fname(j)]),
    })),
  }),
);
// the flood: NDJSON events for model 1
const lines = [];
let floodLen = 0;
for (let k = 0; floodLen < FLOOD_BYTES; k++) {
  const line = JSON.stringify({
    model: name(1 % MODELS),
    id: `e${k}`,
    features: featureRow(),
    prediction: next(),
  });
  lines.push(line);
  floodLen += line.length + 1;
}
const FLOOD = Buffer.from(`${lines.join("\n")}\n`);
const floodFile = join(dir, "flood.ndjson");
writeFileSync(floodFile, FLOOD);
log(
  `flood body: ${(FLOOD.length / 1048576).toFixed(1)} MiB, ${lines.length} events; request ${BODY.length} B`,
);

function start(cmd, argv) {
  const c = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(c);
  let err = "";
  c.stdout.on("data", () => {});
  c.stderr.on("data", (d) => {
    err = (err + d).slice(-4000);
  });
  c.on("exit", (code) => code && log(`${argv[0]} exited ${code}: ${err}`));
  return c;
}
async function waitFor(url, tries = 600) {
  for (let i = 0; i < tries; i++) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.ok) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(`not answering: ${url}`);
}
const metricsUrl = `http://127.0.0.1:${PORTS.metrics}/metrics`;
async function metric(re) {
  const text = await (await fetch(metricsUrl)).text();
  const m = re.exec(text);
  return m ? Number(m[1]) : 0;
}
const shed = () => metric(/^infermon_events_dropped_total\{reason="overload"\} (\S+)/m);
const queueFull = () => metric(/^infermon_events_dropped_total\{reason="queue_full"\} (\S+)/m);

/** CPU seconds (user + system) of a process so far, from /proc. */
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const parts = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return (Number(parts[11]) + Number(parts[12])) / 100; // utime, stime in clock ticks (100/s)
}

/** The side load in its own process (sideLoad.mjs) until `stop()` is called; its durations, ms. */
function side(mode) {
  const argv =
    mode === "scrape"
      ? [join(here, "sideLoad.mjs"), "scrape", metricsUrl]
      : [join(here, "sideLoad.mjs"), "flood", `http://127.0.0.1:${PORTS.ingest}/v1/events`, floodFile];
  const c = spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "inherit"] });
  children.push(c);
  let out = "";
  c.stdout.on("data", (d) => {
    out += d;
  });
  const done = new Promise((resolve) => c.once("exit", () => resolve(JSON.parse(out || '{"times":[]}'))));
  return {
    stop: () => {
      c.kill("SIGTERM");
      return done;
    },
  };
}
const ingestPool = new Pool(`http://127.0.0.1:${PORTS.ingest}`, { connections: 1 });
let scrapeBytes = 0;
const scrapeOnce = async () => {
  const r = await fetch(metricsUrl);
  scrapeBytes = (await r.arrayBuffer()).byteLength;
};
const floodOnce = async () => {
  const r = await ingestPool.request({
    path: "/v1/events",
    method: "POST",
    body: FLOOD,
    headers: { "content-type": "application/x-ndjson" },
  });
  await r.body.text();
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : Number.NaN;
};

async function runTarget(label, dist) {
  const up = start(process.execPath, [join(here, "upstream.mjs"), String(PORTS.upstream)]);
  const agent = start(process.execPath, [join(dist, "cli/main.js"), "run", "-c", join(dir, "infermon.yaml")]);
  await waitFor(`http://127.0.0.1:${PORTS.upstream}/`);
  await waitFor(`http://127.0.0.1:${PORTS.metrics}/readyz`);
  const tapUrl = `http://127.0.0.1:${PORTS.tap}`;
  const path = `/v2/models/${name(0)}/infer`;
  // warm-up: traffic, one scrape, one flood body
  await fixedRate({ url: tapUrl, path, body: BODY, rate: RATE, seconds: 2 });
  await scrapeOnce();
  await floodOnce();
  await sleep(1000);
  const series = (await (await fetch(metricsUrl)).text()).split("\n").filter((l) => l && l[0] !== "#").length;
  const conditions = ["quiet", "scrape", "flood"];
  const res = Object.fromEntries(conditions.map((c) => [c, { lat: [], p99s: [], durations: [], errors: 0 }]));
  const floodAnswers = {};
  const shed0 = await shed();
  const full0 = await queueFull();
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of conditions) {
      const load = c === "quiet" ? undefined : side(c);
      const r = await fixedRate({ url: tapUrl, path, body: BODY, rate: RATE, seconds: SECONDS, keep: true });
      const sideOut = load ? await load.stop() : { times: [] };
      const durations = sideOut.times;
      if (c === "flood")
        for (const [k, v] of Object.entries(sideOut.statuses ?? {}))
          floodAnswers[k] = (floodAnswers[k] ?? 0) + v;
      res[c].lat.push(...r.latencies);
      res[c].p99s.push(r.p99);
      res[c].durations.push(...durations);
      res[c].errors += r.errors;
      await sleep(1500); // let analysis catch up before the next condition
      log(
        `${label} round ${round + 1} ${c}: p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} max ${r.max.toFixed(1)} ms; ${durations.length} side requests`,
      );
    }
  }
  const out = { series, scrapeBytes, floodAnswers, conditions: {} };
  for (const c of conditions) {
    const s = res[c].lat.sort((a, b) => a - b);
    const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    out.conditions[c] = {
      requests: s.length,
      errors: res[c].errors,
      p50: q(0.5),
      p99: q(0.99),
      p999: q(0.999),
      max: s[s.length - 1],
      p99PerRound: res[c].p99s,
      sideRequests: res[c].durations.length,
      sideMedianMs: median(res[c].durations),
    };
  }
  out.shedDuringConditions = (await shed()) - shed0;
  out.queueFullDuringConditions = (await queueFull()) - full0;

  // shed rate by load: fixed rates on one model, nothing else
  out.shedByRate = [];
  for (const rate of SHED_RATES) {
    await sleep(2000);
    const s0 = await shed();
    const f0 = await queueFull();
    const c0 = cpuSeconds(agent.pid);
    const t0 = performance.now();
    const r = await fixedRate({ url: tapUrl, path, body: BODY, rate, seconds: SHED_SECONDS });
    const cpu = (cpuSeconds(agent.pid) - c0) / ((performance.now() - t0) / 1000);
    await sleep(1500);
    const dropped = (await shed()) - s0;
    const full = (await queueFull()) - f0;
    out.shedByRate.push({
      rate,
      achieved: r.achievedRate,
      cpuShare: cpu,
      requests: r.requests,
      shed: dropped,
      queueFull: full,
      p99: r.p99,
    });
    log(
      `${label} ${rate} req/s: CPU ${(100 * cpu).toFixed(0)} % of a core, ${dropped} shed and ${full} queue_full of ${r.requests}, p99 ${r.p99.toFixed(2)} ms`,
    );
  }
  agent.kill("SIGTERM");
  up.kill("SIGTERM");
  await new Promise((r) => (agent.exitCode !== null ? r() : agent.once("exit", r)));
  await new Promise((r) => (up.exitCode !== null ? r() : up.once("exit", r)));
  return out;
}

const loadBefore = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join("/");
const results = {
  date: new Date().toISOString(),
  loadBefore,
  rate: RATE,
  seconds: SECONDS,
  rounds: ROUNDS,
  models: MODELS,
  features: FEATURES,
  floodBytes: FLOOD.length,
  floodEvents: lines.length,
  targets: {},
};
const targets = [["infermon", join(root, "dist")]];
if (args.baseline) targets.push(["previous", args.baseline]);
for (const [label, dist] of targets) results.targets[label] = await runTarget(label, dist);
results.loadAfter = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join("/");
await ingestPool.close();
writeFileSync(join(here, "scrape-results.json"), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
