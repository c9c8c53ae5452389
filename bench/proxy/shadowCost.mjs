#!/usr/bin/env node
// What a shadow costs the client (issue #21): the proxy's latency at a fixed rate through
// `infermon run` without a shadow and with one (every request replayed: fast, slow, down), and
// straight to the upstream, all in the same run, targets interleaved in rounds so the machine's
// other work falls on all of them. The shadow is a second upstream process (bench/proxy/upstream.mjs;
// the slow one answers after --slow-ms). Each agent's shadow counters say what the replayer did.
// Usage: npm run build && node bench/proxy/shadowCost.mjs [--rate 1000] [--seconds 9] [--rounds 3] [--warmup 3] [--slow-ms 200] [--write]
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { flags } from "../flags.mjs";
import { fixedRate } from "./fixedRate.mjs";
import { oipRequest, padId, referenceProfile, uniformCreditRow } from "./inputs.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const args = flags();
const RATE = Number(args.rate ?? 1000);
const SECONDS = Number(args.seconds ?? 9);
const ROUNDS = Number(args.rounds ?? 3);
const WARMUP = Number(args.warmup ?? 3);
const SLOW_MS = Number(args["slow-ms"] ?? 200);
const P = { upstream: 18_921, shadow: 18_922, slow: 18_923, down: 18_924, agents: 18_930 };
const log = (s) => process.stderr.write(`${s}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { parseConfig } = await import(join(root, "dist/config/load.js"));
const demoData = await import(join(root, "dist/demo/creditData.js"));
const rng = (seed) => demoData.rng(seed).next;

const children = [];
function start(cmd, argv) {
  const c = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
  c.stdout.on("data", () => {});
  c.stderr.on("data", (d) => process.stderr.write(d));
  children.push(c);
  return c;
}
const cleanup = () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
};
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));
async function waitFor(url) {
  for (let i = 0; i < 400; i++) {
    try {
      await (await fetch(url)).arrayBuffer();
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`not answering: ${url}`);
}

const dir = mkdtempSync(join(tmpdir(), "infermon-shadow-bench-"));
const row = uniformCreditRow(rng(7));
const BODY = Buffer.from(
  padId(oipRequest(Array.from({ length: 14 }, row), "bench-0000000001"), "bench-0000000001", 1024),
);
const PATH = "/v2/models/credit/infer";

start(process.execPath, [join(here, "upstream.mjs"), String(P.upstream)]);
start(process.execPath, [join(here, "upstream.mjs"), String(P.shadow)]);
start(process.execPath, [join(here, "upstream.mjs"), String(P.slow), String(SLOW_MS)]);

/** [name, shadow upstream, sample]: a realistic share (10 %) and the worst case (every request) */
const VARIANTS = [
  ["infermon, no shadow", "", 0],
  ["infermon + shadow (10 % sampled)", `http://127.0.0.1:${P.shadow}`, 0.1],
  ["infermon + shadow (every request)", `http://127.0.0.1:${P.shadow}`, 1],
  [`infermon + slow shadow (${SLOW_MS} ms)`, `http://127.0.0.1:${P.slow}`, 1],
  ["infermon + shadow down", `http://127.0.0.1:${P.down}`, 1],
];
const agents = [];
for (const [i, [name, shadow, sample]] of VARIANTS.entries()) {
  const tap = P.agents + 2 * i;
  const metrics = tap + 1;
  const extra = shadow ? `    shadow: {upstream: "${shadow}", sample: ${sample}, timeout: 2s}\n` : "";
  const text = `service: bench
models:
${demoData.creditModelYaml({ reference: "./credit.json", extra })}tap: {listen: "127.0.0.1:${tap}", upstream: "http://127.0.0.1:${P.upstream}", max_body_bytes: 1048576, queue_size: 10000, timeout: 30s}
metrics: {listen: "127.0.0.1:${metrics}"}
`;
  const file = join(dir, `agent-${i}.yaml`);
  writeFileSync(file, text);
  const config = parseConfig(text, "bench", dir);
  writeFileSync(join(dir, "credit.json"), JSON.stringify(referenceProfile(config.models[0], row)));
  start(process.execPath, [join(root, "dist/cli/main.js"), "run", "-c", file]);
  agents.push({ name, url: `http://127.0.0.1:${tap}`, metrics });
}
await waitFor(`http://127.0.0.1:${P.upstream}/`);
for (const a of agents) await waitFor(`http://127.0.0.1:${a.metrics}/readyz`);

const targets = [["direct", `http://127.0.0.1:${P.upstream}`], ...agents.map((a) => [a.name, a.url])];
const loadavgStart = os.loadavg();
for (const [name, url] of targets) {
  log(`warm-up: ${name}`);
  await fixedRate({ url, path: PATH, body: BODY, rate: RATE, seconds: WARMUP });
}
const samples = Object.fromEntries(targets.map(([n]) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, url] of targets) {
    log(`round ${round + 1}/${ROUNDS}: ${name} …`);
    samples[name].push(
      await fixedRate({ url, path: PATH, body: BODY, rate: RATE, seconds: SECONDS / ROUNDS, keep: true }),
    );
  }
}
const loadavgEnd = os.loadavg();
const latency = {};
for (const [name, runs] of Object.entries(samples)) {
  const all = Float64Array.from(runs.flatMap((x) => Array.from(x.latencies))).sort();
  const q = (p) => all[Math.min(all.length - 1, Math.floor(p * all.length))];
  latency[name] = {
    requests: all.length,
    errors: runs.reduce((a, x) => a + x.errors, 0),
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: all[all.length - 1],
    p50PerRound: runs.map((x) => {
      const s = Float64Array.from(x.latencies).sort();
      return s[Math.floor(s.length / 2)];
    }),
    p99PerRound: runs.map((x) => {
      const s = Float64Array.from(x.latencies).sort();
      return s[Math.min(s.length - 1, Math.floor(0.99 * s.length))];
    }),
  };
}
await sleep(2500); // replays still in flight (the slow shadow, the 2 s timeout) finish
const counters = {};
for (const a of agents) {
  const text = await (await fetch(`http://127.0.0.1:${a.metrics}/metrics`)).text();
  const sum = (re) => [...text.matchAll(re)].reduce((acc, m) => acc + Number(m[1]), 0);
  counters[a.name] = {
    replayed: sum(/^infermon_shadow_requests_total\{[^}]*side="shadow"[^}]*\} (\S+)/gm),
    answered200: sum(/^infermon_shadow_requests_total\{[^}]*side="shadow",code="200"\} (\S+)/gm),
    failed: sum(/^infermon_shadow_requests_total\{[^}]*side="shadow",code="5\d\d"\} (\S+)/gm),
    compared:
      sum(/^infermon_shadow_comparisons_total\{[^}]*result="agree"\} (\S+)/gm) +
      sum(/^infermon_shadow_comparisons_total\{[^}]*result="disagree"\} (\S+)/gm),
    dropped: Object.fromEntries(
      [...text.matchAll(/^infermon_shadow_dropped_total\{[^}]*reason="([^"]+)"\} (\S+)/gm)].map((m) => [
        m[1],
        Number(m[2]),
      ]),
    ),
    analysed: sum(/^infermon_events_total\{model="credit",source="tap"\} (\S+)/gm),
  };
}
const results = {
  date: new Date().toISOString(),
  node: process.version,
  rate: RATE,
  seconds: SECONDS,
  rounds: ROUNDS,
  warmup: WARMUP,
  slowMs: SLOW_MS,
  cpus: os.cpus().length,
  loadavgStart,
  loadavgEnd,
  latency,
  counters,
};
writeFileSync(join(here, "shadow-results.json"), `${JSON.stringify(results, null, 2)}\n`);
const f = (x) => x.toFixed(2);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const base = latency["infermon, no shadow"];
const md = `## Proxy: shadow cost

Command: \`npm run build && node bench/proxy/shadowCost.mjs --rate ${RATE} --seconds ${SECONDS} --rounds ${ROUNDS} --warmup ${WARMUP} --slow-ms ${SLOW_MS} --write\` (${results.date.slice(0, 16).replace("T", " ")} UTC, ${results.node}, ${results.cpus} CPUs shared by the upstreams, the five agents and the load generator; load average ${loadavgStart.map(f).join("/")} at the start, ${loadavgEnd.map(f).join("/")} at the end). A 1 KiB OIP v2 request (14 rows) at a fixed ${RATE} req/s (\`fixedRate.mjs\`, open loop), ${ROUNDS} interleaved rounds of ${f(SECONDS / ROUNDS)} s per target after ${WARMUP} s of warm-up each; five \`infermon run\` agents with the same config but \`shadow:\` (sample 0.1, or 1: every request replayed; timeout 2 s, max_in_flight 16, queue_size 1000) and the upstream itself. The shadows are other processes of \`upstream.mjs\` (the slow one answers after ${SLOW_MS} ms; "down" is a port nobody listens on). Latency in ms, over all ${base?.requests ?? 0} requests of a target, and the median over rounds of each round's p50 and p99 (robust to a burst of the machine's other work landing on one round); the ratios compare those medians with the agent without a shadow:

| target | p50 | p90 | p99 | max | errors | median round p50 | median round p99 | p50 vs no shadow | p99 vs no shadow | p50 per round | p99 per round |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |
${Object.entries(latency)
  .map(
    ([n, l]) =>
      `| ${n} | ${f(l.p50)} | ${f(l.p90)} | ${f(l.p99)} | ${f(l.max)} | ${l.errors} | ${f(median(l.p50PerRound))} | ${f(median(l.p99PerRound))} | ${n === "direct" || !base ? "–" : `${f(median(l.p50PerRound) / median(base.p50PerRound))}×`} | ${n === "direct" || !base ? "–" : `${f(median(l.p99PerRound) / median(base.p99PerRound))}×`} | ${l.p50PerRound.map(f).join(", ")} | ${l.p99PerRound.map(f).join(", ")} |`,
  )
  .join("\n")}

What each agent's replayer did over the whole run (warm-up included):

| agent | replayed | shadow answered 200 | shadow 5xx (502 down, 504 late) | rows compared | dropped | events analysed |
| --- | ---: | ---: | ---: | ---: | --- | ---: |
${Object.entries(counters)
  .map(
    ([n, c]) =>
      `| ${n} | ${c.replayed} | ${c.answered200} | ${c.failed} | ${c.compared} | ${
        Object.entries(c.dropped)
          .filter(([, v]) => v > 0)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ") || "none"
      } | ${c.analysed} |`,
  )
  .join("\n")}
`;
process.stdout.write(md);
if (args.write) {
  const { writeSection } = await import("./report.mjs");
  writeSection(join(root, "bench/README.md"), md, "## Proxy: shadow cost");
}
cleanup();
process.exit(0);
