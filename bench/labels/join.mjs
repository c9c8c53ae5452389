// In-process label join: joins per second on one core (a prediction recorded and its label applied,
// in order and label-first), and memory per pending prediction at 1,000,000 pending (RSS delta, in a
// fresh process each). Baseline in the same run: a naive Map of one object per entry.
// Run: npm run build && node --expose-gc bench/labels/join.mjs [--n 1000000] [--rounds 5]
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { median } from "../lib.mjs";
import { STORES } from "./stores.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg("n", 1_000_000);
const ROUNDS = arg("rounds", 5);
const CHILD = fileURLToPath(new URL("./joinMemoryChild.mjs", import.meta.url));

const ids = Array.from({ length: N }, () => randomUUID());
const cls = Array.from({ length: N }, (_, i) => (((i * 2654435761) >>> 0) % 3 === 0 ? "1" : "0"));
const truth = Array.from({ length: N }, (_, i) => (((i * 40503) >>> 0) % 5 === 0 ? "1" : "0"));

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * One round: N predictions then their N labels (in order), or labels first. Joins per second of
 * this process' CPU time (what one core does, however busy the shared machine is) and of wall time.
 */
function round(kind, labelFirst) {
  const s = STORES[kind](N);
  const t = Date.now();
  const c0 = cpuMs();
  const t0 = process.hrtime.bigint();
  if (labelFirst) {
    for (let i = 0; i < N; i++) s.label(ids[i], truth[i], t);
    for (let i = 0; i < N; i++) s.prediction(ids[i], cls[i], t);
  } else {
    for (let i = 0; i < N; i++) s.prediction(ids[i], cls[i], t);
    for (let i = 0; i < N; i++) s.label(ids[i], truth[i], t);
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return { cpu: N / ((cpuMs() - c0) / 1000), wall: N / wall };
}

// rounds interleaved (and a collection before each) so that load on the machine and garbage left
// by one store do not fall on another
const KINDS = ["infermon", "store", "naive"];
const configs = [];
for (const labelFirst of [false, true])
  for (const kind of KINDS) configs.push({ kind, labelFirst, cpu: [], wall: [] });
for (const c of configs) round(c.kind, c.labelFirst); // warm-up
for (let r = 0; r < ROUNDS; r++)
  for (const c of configs) {
    globalThis.gc?.();
    const x = round(c.kind, c.labelFirst);
    c.cpu.push(x.cpu);
    c.wall.push(x.wall);
  }
const rows = configs.map((c) => ({
  kind: c.kind,
  order: c.labelFirst ? "label first" : "in order",
  cpu: median(c.cpu),
  wall: median(c.wall),
}));
const memory = {};
for (const kind of KINDS) {
  const runs = Array.from({ length: 3 }, () =>
    JSON.parse(execFileSync(process.execPath, ["--expose-gc", CHILD, kind, String(N)], { encoding: "utf8" })),
  );
  memory[kind] = { rss: median(runs.map((r) => r.rss)) / N, heap: median(runs.map((r) => r.heap)) / N };
}

console.log(
  `node ${process.version}, ${N.toLocaleString("en")} joins per round, median of ${ROUNDS}, load average ${os.loadavg()[0].toFixed(1)}`,
);
console.log("| store | order | joins/s (CPU time) | vs naive | joins/s (wall) |");
console.log("| --- | --- | ---: | ---: | ---: |");
const fmt = (x) => Math.round(x).toLocaleString("en");
for (const r of rows) {
  const base = rows.find((x) => x.kind === "naive" && x.order === r.order);
  console.log(
    `| ${r.kind} | ${r.order} | ${fmt(r.cpu)} | ${(r.cpu / base.cpu).toFixed(2)}× | ${fmt(r.wall)} |`,
  );
}
console.log(`\nmemory at ${N.toLocaleString("en")} pending (median of 3 fresh processes)`);
console.log("| store | RSS delta per pending | heap per pending |");
console.log("| --- | ---: | ---: |");
for (const [kind, m] of Object.entries(memory))
  console.log(`| ${kind} | ${m.rss.toFixed(0)} B | ${m.heap.toFixed(0)} B |`);
