#!/usr/bin/env node
// Proxy benchmark (issue "The agent: infermon run"): a 1 KB OIP v2 request against a fast upstream,
// directly, through nginx (Debian package, plain reverse proxy with a keep-alive upstream pool,
// config generated here, temp prefix, loopback) and through `infermon run`.
//   - added latency at a fixed rate (default 1,000 req/s): our fixed-rate generator (fixedRate.mjs,
//     open loop, undici); wrk -R is not in Debian's wrk
//   - maximum throughput: wrk with a Lua script for the POST body
//   - infermon's RSS over a long fixed-rate run
//   - tracing's throughput cost: tracing off / sample_ratio 0.1 / 1.0 (tracingCost.mjs)
// Usage: npm run build && node bench/proxy/run.mjs [--rate 1000] [--seconds 30] [--max-seconds 10]
//          [--rss-seconds 300] [--tracing-seconds 5] [--tracing-rounds 7] [--tracing-baseline DIST_DIR] [--write]   (--seconds 0 / --max-seconds 0 / --rss-seconds 0 skip those parts)   (--write replaces the "## Proxy" section of bench/README.md)
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { flags } from "../flags.mjs";
import { fixedRate } from "./fixedRate.mjs";
import { oipRequest, padId, referenceProfile, uniformCreditRow } from "./inputs.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const args = flags();
const RATE = Number(args.rate ?? 1000);
const SECONDS = Number(args.seconds ?? 30);
const MAX_SECONDS = Number(args["max-seconds"] ?? 10);
const RSS_SECONDS = Number(args["rss-seconds"] ?? 300);
const TRACING_SECONDS = Number(args["tracing-seconds"] ?? 5);
const TRACING_ROUNDS = Number(args["tracing-rounds"] ?? 7);
const P = {
  upstream: 18_901,
  nginx: 18_902,
  tap: 18_903,
  metrics: 18_904,
  minimal: 18_905,
  sink: 18_910,
  tracing: 18_911,
};

const { parseConfig } = await import(join(root, "dist/config/load.js"));
const demoData = await import(join(root, "dist/demo/creditData.js"));
const { creditModelYaml } = demoData;
const rng = (seed) => demoData.rng(seed).next;

const dir = mkdtempSync(join(tmpdir(), "infermon-bench-"));
const children = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (s) => process.stderr.write(`${s}\n`);

function start(cmd, argv, opts = {}) {
  const c = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"], ...opts });
  children.push(c);
  // read both pipes, so a child that logs is never blocked on a full pipe
  c.stdout.on("data", (d) => opts.verbose && process.stderr.write(d));
  c.stderr.on("data", (d) => opts.verbose && process.stderr.write(d));
  return c;
}
function cleanup() {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
}
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));

async function waitFor(url) {
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`not answering: ${url}`);
}

// --- inputs: config, reference profile, a 1 KB OIP v2 request
const row = uniformCreditRow(rng(7));
const configText = `service: bench
models:
${creditModelYaml({ reference: "./credit.json" })}tap: {listen: "127.0.0.1:${P.tap}", upstream: "http://127.0.0.1:${P.upstream}", max_body_bytes: 1048576, queue_size: 10000, timeout: 30s}
metrics: {listen: "127.0.0.1:${P.metrics}"}
`;
writeFileSync(join(dir, "infermon.yaml"), configText);
const config = parseConfig(configText, "bench", dir);
writeFileSync(join(dir, "credit.json"), JSON.stringify(referenceProfile(config.models[0], row)));
// a 14-row request, its id padded so the body is exactly 1 KiB
const body = padId(oipRequest(Array.from({ length: 14 }, row), "bench-0000000001"), "bench-0000000001", 1024);
const BODY = Buffer.from(body);

// --- the three targets
start(process.execPath, [join(here, "upstream.mjs"), String(P.upstream)]);
const prefix = join(dir, "nginx");
mkdirSync(join(prefix, "logs"), { recursive: true });
writeFileSync(
  join(prefix, "nginx.conf"),
  `worker_processes 1;
daemon off;
error_log ${prefix}/logs/error.log warn;
pid ${prefix}/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream model { server 127.0.0.1:${P.upstream}; keepalive 128; }
  server {
    listen 127.0.0.1:${P.nginx};
    keepalive_requests 1000000;
    location / {
      proxy_pass http://model;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
`,
);
start("nginx", ["-p", prefix, "-c", join(prefix, "nginx.conf")]);
const startAgent = () =>
  start(process.execPath, [join(root, "dist/cli/main.js"), "run", "-c", join(dir, "infermon.yaml")], {
    cwd: dir,
    verbose: true,
  });
let agent = startAgent();
// the floor of any Node.js proxy here: node:http + undici and nothing else (minimalProxy.mjs)
start(process.execPath, [join(here, "minimalProxy.mjs"), String(P.minimal), String(P.upstream)]);
await waitFor(`http://127.0.0.1:${P.upstream}/`);
await waitFor(`http://127.0.0.1:${P.minimal}/`);
await waitFor(`http://127.0.0.1:${P.nginx}/`);
await waitFor(`http://127.0.0.1:${P.metrics}/readyz`);

const targets = {
  direct: `http://127.0.0.1:${P.upstream}`,
  nginx: `http://127.0.0.1:${P.nginx}`,
  infermon: `http://127.0.0.1:${P.tap}`,
};
const PATH = "/v2/models/credit/infer";
const results = {
  body: BODY.length,
  rate: RATE,
  seconds: SECONDS,
  cpus: (await import("node:os")).cpus().length,
  latency: {},
  throughput: {},
};

// --- added latency at a fixed rate: ROUNDS rounds, the targets interleaved within each round so
// that noise from other work on the machine falls on all of them; percentiles over all samples
const ROUNDS = Number(args.rounds ?? 3);
const WARMUP = Number(args.warmup ?? 10);
results.warmup = WARMUP;
results.rounds = ROUNDS;
results.loadavgStart = (await import("node:os")).loadavg();

const UNANALYSED = "infermon (route not analysed)";
const UNANALYSED_PATH = "/v2/models/unmonitored/infer";
const MINIMAL = "minimal Node.js proxy";
const latencyTargets = [
  ...Object.entries(targets),
  [UNANALYSED, targets.infermon],
  [MINIMAL, `http://127.0.0.1:${P.minimal}`],
];
const pathOf = (name) => (name === UNANALYSED ? UNANALYSED_PATH : PATH);
for (const [name, url] of SECONDS > 0 ? latencyTargets : [])
  await fixedRate({ url, path: pathOf(name), body: BODY, rate: RATE, seconds: WARMUP });
const samples = Object.fromEntries(latencyTargets.map(([n]) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, url] of SECONDS > 0 ? latencyTargets : []) {
    log(`latency round ${round + 1}/${ROUNDS}: ${name} …`);
    const x = await fixedRate({
      url,
      path: pathOf(name),
      body: BODY,
      rate: RATE,
      seconds: SECONDS / ROUNDS,
      keep: true,
    });
    samples[name].push(x);
    log(JSON.stringify({ ...x, latencies: undefined }));
  }
}
for (const [name, runs] of Object.entries(samples)) {
  if (runs.length === 0) continue;
  const all = Float64Array.from(runs.flatMap((x) => Array.from(x.latencies))).sort();
  const q = (p) => all[Math.min(all.length - 1, Math.floor(p * all.length))];
  results.latency[name] = {
    requests: all.length,
    errors: runs.reduce((a, x) => a + x.errors, 0),
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    p999: q(0.999),
    max: all[all.length - 1],
    p99PerRound: runs.map((x) => x.p99),
  };
}

// --- maximum throughput with wrk (Lua script for the POST body)
const lua = join(dir, "post.lua");
writeFileSync(
  lua,
  `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(body)}\n`,
);
function wrk(url) {
  const out = execFileSync("wrk", ["-t1", "-c32", `-d${MAX_SECONDS}s`, "--latency", "-s", lua, url], {
    encoding: "utf8",
  });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const errors = /Socket errors: (.*)/.exec(out)?.[1] ?? "none";
  return { rps, non2xx, socketErrors: errors };
}
const wrkTargets = MAX_SECONDS > 0 ? latencyTargets : [];
const runsOf = Object.fromEntries(wrkTargets.map(([n]) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, url] of wrkTargets) {
    const path = pathOf(name);
    log(`throughput round ${round + 1}/${ROUNDS}: ${name} …`);
    const x = wrk(url + path);
    runsOf[name].push(x);
    log(JSON.stringify(x));
  }
}
for (const [name, runs] of Object.entries(runsOf)) {
  const rps = runs.map((x) => x.rps).sort((x, y) => x - y);
  results.throughput[name] = {
    rps: rps[Math.floor(rps.length / 2)],
    rpsPerRound: runs.map((x) => Math.round(x.rps)),
    non2xx: runs.reduce((acc, x) => acc + x.non2xx, 0),
    socketErrors: [...new Set(runs.map((x) => x.socketErrors))].join("; "),
  };
}
results.loadavgEnd = (await import("node:os")).loadavg();

// --- tracing's throughput cost: three more agents (off / 0.1 / 1.0), its own section and results file
let tracing;
if (TRACING_SECONDS > 0) {
  const { measureTracingCost } = await import("./tracingCost.mjs");
  const os = await import("node:os");
  const loadavgStart = os.loadavg();
  tracing = await measureTracingCost({
    dir,
    here,
    lua,
    path: PATH,
    seconds: TRACING_SECONDS,
    rounds: TRACING_ROUNDS,
    ports: { sink: P.sink, base: P.tracing },
    log,
    start,
    waitFor,
    configFor: (tap, metrics, line) =>
      `${configText.replace(`127.0.0.1:${P.tap}`, `127.0.0.1:${tap}`).replace(`127.0.0.1:${P.metrics}`, `127.0.0.1:${metrics}`)}${line}\n`,
    baseline: args["tracing-baseline"] && resolve(args["tracing-baseline"]),
    startAgent: (file, dist, env) =>
      start(process.execPath, [join(dist ?? join(root, "dist"), "cli/main.js"), "run", "-c", file], {
        cwd: dir,
        env: { ...process.env, ...env },
      }),
  });
  Object.assign(tracing, {
    date: new Date().toISOString(),
    cpus: os.cpus().length,
    loadavgStart,
    loadavgEnd: os.loadavg(),
    command: process.argv.slice(2).join(" "),
  });
  writeFileSync(join(here, "tracing-results.json"), `${JSON.stringify(tracing, null, 2)}\n`);
}

const agentCounts = async () => {
  const metrics = await (await fetch(`http://127.0.0.1:${P.metrics}/metrics`)).text();
  const metric = (re) => Number(re.exec(metrics)?.[1] ?? 0);
  return {
    events: metric(/^infermon_events_total\{model="credit",source="tap"\} (\S+)/m),
    droppedQueueFull: metric(/^infermon_events_dropped_total\{reason="queue_full"\} (\S+)/m),
    droppedOverload: metric(/^infermon_events_dropped_total\{reason="overload"\} (\S+)/m),
    parseErrors: metric(/^infermon_parse_errors_total\{[^}]*\} (\S+)/m),
  };
};
const rssOf = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${agent.pid}/status`, "utf8"))?.[1]) / 1024;
results.agent = await agentCounts();
results.rssAfterSaturation = MAX_SECONDS > 0 ? rssOf() : undefined;

// --- infermon RSS at the fixed rate, in a fresh agent: the one above was just saturated, and V8
// gives back the heap it grew for that only slowly (its RSS right after is reported too)
const rss = [];
if (RSS_SECONDS > 0) {
  const exited = new Promise((r) => agent.once("exit", r));
  agent.kill("SIGTERM");
  await exited;
  agent = startAgent();
  await waitFor(`http://127.0.0.1:${P.metrics}/readyz`);
  log(`rss: ${RSS_SECONDS}s at ${RATE} req/s (fresh agent) …`);
  const run = fixedRate({
    url: targets.infermon,
    path: PATH,
    body: BODY,
    rate: RATE,
    seconds: RSS_SECONDS,
    onTick: (s) => {
      if (s % 10 === 0) rss.push([s, rssOf()]);
    },
  });
  results.rssLoad = await run;
  rss.push([RSS_SECONDS, rssOf()]);
  results.rss = rss;
  results.rssAgent = await agentCounts();
}
Object.assign(results, {
  date: new Date().toISOString(),
  maxSeconds: MAX_SECONDS,
  rssSeconds: RSS_SECONDS,
});
const { render, writeSection } = await import("./report.mjs");
// a run of the tracing part alone (--seconds 0 --max-seconds 0 --rss-seconds 0) leaves the rest as it was
if (SECONDS > 0 || MAX_SECONDS > 0 || RSS_SECONDS > 0) {
  writeFileSync(join(here, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  const md = render(results);
  process.stdout.write(md);
  if (args.write) writeSection(join(root, "bench/README.md"), md);
}
if (tracing) {
  const { renderTracingCost } = await import("./tracingCost.mjs");
  const md = renderTracingCost(tracing);
  process.stdout.write(md);
  if (args.write) writeSection(join(root, "bench/README.md"), md, "## Proxy: tracing cost");
}
cleanup();
process.exit(0);
