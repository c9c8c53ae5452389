// Child of memory.mjs: 5 models × 100 features × 12 bins × 2 windows × 60 sub-buckets, then
// EVENTS events spread over two hours of simulated time; prints RSS after a GC.
import { SlidingWindow } from "../dist/stats/slidingWindow.js";
import { rng } from "./lib.mjs";

const MODELS = 5;
const FEATURES = 100;
const BINS = 12;
const EVENTS = Number(process.argv[2] ?? 0);
const width = FEATURES * BINS;
const windows = [];
for (let m = 0; m < MODELS; m++) {
  windows.push([new SlidingWindow(width, 300_000, 60), new SlidingWindow(width, 3_600_000, 60)]);
}
const r = rng(3);
const idx = new Int32Array(FEATURES);
const span = 2 * 3_600_000;
for (let e = 0; e < EVENTS; e++) {
  for (let f = 0; f < FEATURES; f++) idx[f] = f * BINS + Math.floor(r.next() * BINS);
  const t = Math.floor((e / Math.max(1, EVENTS)) * span);
  for (const w of windows[e % MODELS]) w.add(t, idx);
}
globalThis.gc?.();
const samples = windows.reduce((n, [a]) => n + a.samples(), 0);
process.stdout.write(`${JSON.stringify({ events: EVENTS, rss: process.memoryUsage().rss, samples })}\n`);
