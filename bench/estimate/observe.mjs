// Per-event analysis cost of estimated quality (issue #20): ModelMonitor.observe of a binary model
// whose profile has calibrated score bins (each event also counts in its score bin for CBPE, and
// its bin goes into the label join for ROC AUC) against the same model with no score bins at all
// (only drift and the join, as before #20). The arms alternate round by round in one process;
// CPU time per event (this process' user + system, so other jobs on the machine count less), and
// the scrape-time cost of one window's estimate (ModelMonitor.refresh).
// Run: npm run build && node bench/estimate/observe.mjs [--n 200000] [--rounds 7]
import os from "node:os";
import { ScoreProfileBuilder } from "../../dist/batch/scoreProfileBuilder.js";
import { parseConfig } from "../../dist/config/load.js";
import { rng } from "../../dist/demo/creditData.js";
import { AgentMetrics } from "../../dist/export/metrics.js";
import { LabelJoin } from "../../dist/labels/labelJoin.js";
import { ModelMonitor } from "../../dist/monitor/modelMonitor.js";
import { BinLayout } from "../../dist/stats/binLayout.js";
import { ProfileBuilder } from "../../dist/stats/profileBuilder.js";
import { ScoreBins } from "../../dist/stats/scoreBins.js";
import { median } from "../lib.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg("n", 200_000);
const ROUNDS = arg("rounds", 7);
const r = rng(7);
const sigmoid = (z) => 1 / (1 + Math.exp(-z));

const model = parseConfig(`models:
  - name: m
    version: "1"
    task: binary_classification
    features: [{name: x1, type: numeric}, {name: x2, type: numeric}, {name: c, type: categorical}]
    prediction: {output: p, classes: ["0", "1"]}
    windows: [5m, 1h]
    min_samples: 200
    labels: {target: y}
`).models[0];
const row = () => {
  const x1 = r.normal();
  const x2 = r.normal();
  const p = sigmoid(1.2 * x1 - 0.5 * x2);
  return { x1, x2, c: `k${Math.floor(r.next() * 8)}`, p, y: r.next() < p ? "1" : "0" };
};
const train = Array.from({ length: 20_000 }, row);
const pb = new ProfileBuilder(model);
for (const t of train) pb.observe(t);
pb.fixBins();
for (const t of train) pb.count(t);
const profile = pb.build();
const sb = new ScoreProfileBuilder(model, true);
for (const t of train) sb.observe(t.p);
sb.fixBins();
for (const t of train) sb.count(t.p, t.y);
profile.scores = sb.build();
const layout = BinLayout.fromProfile(profile, model);
const events = Array.from({ length: N }, (_, i) => {
  const t = row();
  return { model: "m", version: "1", id: `e${i}`, features: { x1: t.x1, x2: t.x2, c: t.c }, prediction: t.p };
});

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function arm(withScores) {
  const metrics = new AgentMetrics({ version: "b", processMetrics: false });
  let now = 1_000_000;
  const bins = withScores ? [ScoreBins.forModel(model, profile.scores)] : [undefined];
  const join = new LabelJoin([model], metrics.quality, () => now, undefined, undefined, undefined, bins);
  const mon = new ModelMonitor(model, layout, metrics, join.monitor("m"));
  const c0 = cpuMs();
  for (let i = 0; i < N; i++) {
    const e = events[i];
    e.time = now;
    mon.observe(e, now);
    now += 10;
  }
  const perEvent = ((cpuMs() - c0) * 1e6) / N; // ns
  const s0 = cpuMs();
  for (let k = 0; k < 20; k++) mon.refresh(now);
  const refresh = (cpuMs() - s0) / 20; // ms
  return { perEvent, refresh };
}

const res = { scores: [], none: [] };
arm(true); // warm-up
arm(false);
for (let k = 0; k < ROUNDS; k++) {
  res.scores.push(arm(true));
  res.none.push(arm(false));
}
const med = (xs, key) => median(xs.map((x) => x[key]));
const s = { perEvent: med(res.scores, "perEvent"), refresh: med(res.scores, "refresh") };
const b = { perEvent: med(res.none, "perEvent"), refresh: med(res.none, "refresh") };
console.log(
  `node ${process.version}, ${N} events × ${ROUNDS} rounds, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(
  `observe, calibrated score bins (CBPE + AUC bins): ${s.perEvent.toFixed(0)} ns/event CPU (median)`,
);
console.log(
  `observe, no score bins (baseline):                 ${b.perEvent.toFixed(0)} ns/event CPU (median)`,
);
console.log(`ratio: ${(s.perEvent / b.perEvent).toFixed(2)}`);
console.log(
  `refresh (drift + estimate per window): ${s.refresh.toFixed(2)} ms vs ${b.refresh.toFixed(2)} ms`,
);
