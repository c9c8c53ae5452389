// Ingest: numeric values binned and counted per second on one core (100 features × 10 bins),
// through the agent's path (BinLayout.binOf + two SlidingWindows) and the bare bin search,
// against a naive baseline (linear scan over the edges, counts in a Map).

import { BinLayout } from "../dist/stats/binLayout.js";
import { numericBinIndex } from "../dist/stats/binning.js";
import { SlidingWindow } from "../dist/stats/slidingWindow.js";
import { median, rng } from "./lib.mjs";

const FEATURES = 100;
const BINS = 10;
const ROWS = 10_000;
const REPS = 5;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);

const r = rng(7);
const values = new Float64Array(ROWS * FEATURES);
for (let i = 0; i < values.length; i++) values[i] = r.normal();
// quantile-like edges of a standard normal
const EDGES = [-1.2816, -0.8416, -0.5244, -0.2533, 0, 0.2533, 0.5244, 0.8416, 1.2816];
const profile = {
  schema: "infermon.profile",
  schema_version: 1,
  model: "bench",
  model_version: "1",
  rows: 1,
  features: Array.from({ length: FEATURES }, (_, f) => ({
    name: `f${f}`,
    type: "numeric",
    edges: EDGES,
    counts: new Array(BINS).fill(1),
    missing: 0,
    invalid: 0,
  })),
};
const model = { features: profile.features.map((f) => ({ name: f.name, type: "numeric", bins: BINS })) };
const layout = BinLayout.fromProfile(profile, model);

function timeIt(fn) {
  const runs = [];
  for (let rep = 0; rep < REPS; rep++) {
    let n = 0;
    const t0 = process.hrtime.bigint();
    const deadline = t0 + BigInt(SECONDS * 1e9);
    while (process.hrtime.bigint() < deadline) n += fn();
    runs.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  return median(runs);
}

// the agent's path: unknown-typed values through binOf, one event = one row into 2 windows
const w5m = new SlidingWindow(layout.width, 300_000, 60);
const w1h = new SlidingWindow(layout.width, 3_600_000, 60);
const idx = new Int32Array(FEATURES);
let clock = 0;
const agentPath = () => {
  const slots = layout.slots;
  for (let row = 0; row < ROWS; row++) {
    const base = row * FEATURES;
    for (let f = 0; f < FEATURES; f++) idx[f] = layout.binOf(slots[f], values[base + f]);
    clock += 1;
    w5m.add(clock, idx);
    w1h.add(clock, idx);
  }
  return ROWS * FEATURES;
};

// the bare engine: bin search and one counts array
const edges = new Float64Array(EDGES);
const counts = new Float64Array(FEATURES * BINS);
const bare = () => {
  for (let i = 0; i < values.length; i++) {
    const f = i % FEATURES;
    counts[f * BINS + numericBinIndex(edges, values[i])]++;
  }
  return values.length;
};

// naive baseline: linear scan, counts in a Map keyed by feature and bin label
const labels = Array.from({ length: BINS }, (_, i) => `bin${i}`);
const naiveCounts = new Map();
const naive = () => {
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    let b = EDGES.findIndex((e) => x < e);
    if (b < 0) b = EDGES.length;
    const key = `f${i % FEATURES}:${labels[b]}`;
    naiveCounts.set(key, (naiveCounts.get(key) ?? 0) + 1);
  }
  return values.length;
};

export function runIngest() {
  const result = {
    agentPath: timeIt(agentPath),
    bareBinSearch: timeIt(bare),
    naiveBaseline: timeIt(naive),
  };
  // checks that the work was really done
  if (w1h.samples() === 0 || counts.reduce((a, b) => a + b, 0) === 0) throw new Error("nothing counted");
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const res = runIngest();
  for (const [k, v] of Object.entries(res)) console.log(`${k.padEnd(14)} ${(v / 1e6).toFixed(1)} M values/s`);
}
