// Throughput cost of tracing (issue "Traces to Tempo…"): three `infermon run` agents with the same
// config except tracing — off, sample_ratio 0.1, sample_ratio 1.0 — exporting to a discarding OTLP
// gRPC receiver (otlpSink.mjs), measured with wrk in interleaved rounds (other work on the shared
// machine falls on all three); the median per agent, and the cost as 1 − rps / rps(off).
// Called by run.mjs (--tracing-seconds N per round, 0 skips).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const TRACING_VARIANTS = [
  ["tracing off", "tracing: {enabled: false}"],
  ["tracing 0.1", "tracing: {enabled: true, sample_ratio: 0.1}"],
  ["tracing 1.0", "tracing: {enabled: true, sample_ratio: 1.0}"],
];

/**
 * o: { dir, configFor(tapPort, metricsPort, tracingLine) → yaml text, startAgent(file, distDir?, env), waitFor, baseline?,
 *      start(cmd, argv), here, ports: {sink, base}, lua, path, seconds, rounds, log }
 */
export async function measureTracingCost(o) {
  const sink = o.start(process.execPath, [join(o.here, "otlpSink.mjs"), String(o.ports.sink)]);
  const agents = [];
  // --tracing-baseline DIR: the same two traced agents from another build (a dist/ directory, e.g.
  // main's before a change), in the same rounds, so before and after share the machine's load
  const variants = TRACING_VARIANTS.map(([name, line]) => [name, line, undefined]);
  if (o.baseline)
    for (const [name, line] of TRACING_VARIANTS.slice(1))
      variants.push([`${name} (baseline)`, line, o.baseline]);
  for (const [i, [name, line, main]] of variants.entries()) {
    const tap = o.ports.base + 2 * i;
    const metrics = tap + 1;
    const file = join(o.dir, `tracing-${i}.yaml`);
    writeFileSync(file, o.configFor(tap, metrics, line));
    const child = o.startAgent(file, main, {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${o.ports.sink}`,
      OTEL_EXPORTER_OTLP_INSECURE: "true",
    });
    agents.push({ name, url: `http://127.0.0.1:${tap}${o.path}`, metrics, pid: child.pid });
  }
  for (const a of agents) await o.waitFor(`http://127.0.0.1:${a.metrics}/readyz`);
  // the agent's CPU time (user + system, clock ticks of 10 ms) from /proc: CPU per request does not
  // depend on how much of the machine other work takes, unlike requests/s
  const cpuTicks = (pid) => {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return Number(f[11]) + Number(f[12]);
  };
  const wrk = (a, seconds) => {
    const before = cpuTicks(a.pid);
    const out = execFileSync("wrk", ["-t1", "-c32", `-d${seconds}s`, "-s", o.lua, a.url], {
      encoding: "utf8",
    });
    const cpuMs = (cpuTicks(a.pid) - before) * 10;
    const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
    return {
      rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
      cpuUsPerRequest: (1000 * cpuMs) / requests,
      non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    };
  };
  // warm-up (JIT, connection pools, the exporter's channel)
  for (const a of agents) wrk(a, 2);
  const runs = Object.fromEntries(agents.map((a) => [a.name, []]));
  for (let round = 0; round < o.rounds; round++) {
    // rotate the order each round, so no variant always runs right after another
    const order = agents.map((_, i) => agents[(i + round) % agents.length]);
    for (const a of order) {
      o.log(`tracing cost round ${round + 1}/${o.rounds}: ${a.name} …`);
      const x = wrk(a, o.seconds);
      runs[a.name].push(x);
      o.log(JSON.stringify(x));
    }
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const out = {};
  for (const a of agents) {
    const rs = runs[a.name].map((x) => x.rps);
    out[a.name] = {
      rps: median(rs),
      rpsPerRound: rs.map(Math.round),
      cpuUsPerRequest: median(runs[a.name].map((x) => x.cpuUsPerRequest)),
      non2xx: runs[a.name].reduce((s, x) => s + x.non2xx, 0),
    };
  }
  const off = out["tracing off"].rps;
  for (const a of agents) out[a.name].cost = 1 - out[a.name].rps / off;
  // a saturated agent's throughput is its CPU divided by CPU per request: the cost it implies
  const cpuOff = out["tracing off"].cpuUsPerRequest;
  for (const a of agents) out[a.name].cpuCost = 1 - cpuOff / out[a.name].cpuUsPerRequest;
  // per-round ratios too: each round's variants ran back to back, so their ratio is less noisy
  for (const a of agents)
    out[a.name].costMedianOfRounds =
      1 - median(runs[a.name].map((x, r) => x.rps / runs["tracing off"][r].rps));
  sink.kill("SIGTERM");
  return { seconds: o.seconds, rounds: o.rounds, variants: out };
}

export function renderTracingCost(t) {
  if (!t) return "";
  const pct = (x) => `${(100 * x).toFixed(1)} %`;
  const target = {
    "tracing 0.1": 0.03,
    "tracing 1.0": 0.15,
    "tracing 0.1 (baseline)": 0.03,
    "tracing 1.0 (baseline)": 0.15,
  };
  let md = `## Proxy: tracing cost

Command: \`npm run build && node bench/proxy/run.mjs ${t.command}\`, ${t.date.slice(0, 16).replace("T", " ")} UTC, ${t.cpus} CPUs shared with other work (load average ${t.loadavgStart.map((x) => x.toFixed(1)).join("/")} at the start, ${t.loadavgEnd.map((x) => x.toFixed(1)).join("/")} at the end): absolute figures are noisy, the ratios are what this measures.

Three agents, identical but for \`tracing:\` (off, \`sample_ratio: 0.1\`, \`sample_ratio: 1.0\`)${"tracing 0.1 (baseline)" in t.variants ? ', plus the two traced ones again from a baseline build (`--tracing-baseline DIST`, "(baseline)" rows), all in the same rotated rounds' : ""}, exporting over OTLP gRPC to a receiver that discards (\`bench/proxy/otlpSink.mjs\`), batch processor defaults (queue 2,048, batches of 512, 5 s); wrk \`-t1 -c32\`, ${t.rounds} rounds of ${t.seconds} s per agent, the order rotated each round; median requests/s, cost = 1 − rps / rps(off), and the median of the per-round ratios (each round's three runs are back to back). On a machine shared with other work, requests/s swing with the others' load; the agent's own CPU time per request (user + system from \`/proc/PID/stat\`, median over rounds) does not, and a saturated agent's throughput is one core over it: cost from CPU = 1 − CPU(off) / CPU(traced). Targets: ≤ 3 % at 0.1, ≤ 15 % at 1.0 (judged on the CPU figure).

| agent | req/s (median) | req/s per round | cost (medians) | cost (median of rounds) | CPU µs / request | cost from CPU | target |
| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |
`;
  for (const [name, x] of Object.entries(t.variants)) {
    const tg = target[name];
    const off = name === "tracing off";
    md += `| ${name} | ${Math.round(x.rps)} | ${x.rpsPerRound.join(", ")} | ${off ? "–" : pct(x.cost)} | ${off ? "–" : pct(x.costMedianOfRounds)} | ${x.cpuUsPerRequest.toFixed(1)} | ${off ? "–" : pct(x.cpuCost)} | ${tg === undefined ? "–" : `≤ ${pct(tg)}: ${x.cpuCost <= tg ? "met" : "**not met**"}`} |\n`;
  }
  return md;
}
