// In-process label join: joins per second on one core (a prediction recorded and its label applied,
// in order and label-first), and memory per pending prediction at 1,000,000 pending (RSS delta, in a
// fresh process each). Baseline in the same run: a naive Map of one object per entry.
// Also memory per pending entry by id length (--id-lengths, --id-n entries each): what a model's
// join costs with the ids users really send (a UUID is 36; `<uuid>:<row>` 38; trace-style ids longer).
// Run: npm run build && node --expose-gc bench/labels/join.mjs [--n 1000000] [--rounds 5]
//      [--id-lengths 16,36,38,64,128,512] [--id-n 200000] [--only-ids]
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
const ID_N = arg("id-n", 200_000);
const idArg = process.argv.indexOf("--id-lengths");
const ID_LENGTHS = (idArg >= 0 ? process.argv[idArg + 1] : "16,36,38,64,128,512").split(",").map(Number);
const ONLY_IDS = process.argv.includes("--only-ids");
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

if (!ONLY_IDS) throughputAndMemory();
idLengths();

function throughputAndMemory() {
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
      JSON.parse(
        execFileSync(process.execPath, ["--expose-gc", CHILD, kind, String(N)], { encoding: "utf8" }),
      ),
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
}

/** Memory per pending entry by id length: infermon's store (as the agent runs it) and the naive Map. */
function idLengths() {
  const rows = [];
  for (const len of ID_LENGTHS) {
    const row = { len };
    for (const kind of ["infermon", "naive"]) {
      const runs = Array.from({ length: 3 }, () =>
        JSON.parse(
          execFileSync(process.execPath, ["--expose-gc", CHILD, kind, String(ID_N), String(len)], {
            encoding: "utf8",
          }),
        ),
      );
      row[kind] = median(runs.map((r) => r.rss)) / ID_N;
      row[`${kind}Heap`] = median(runs.map((r) => r.heap)) / ID_N;
    }
    rows.push(row);
  }
  console.log(
    `\nmemory per pending entry by id length (${ID_N.toLocaleString("en")} pending, median of 3 fresh processes, load average ${os.loadavg()[0].toFixed(1)})`,
  );
  console.log(
    "| id length | infermon RSS/entry | infermon heap/entry | naive RSS/entry | at max_pending 1,000,000 (infermon) |",
  );
  console.log("| ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows)
    console.log(
      `| ${r.len} | ${r.infermon.toFixed(0)} B | ${r.infermonHeap.toFixed(0)} B | ${r.naive.toFixed(0)} B | ${((r.infermon * 1e6) / 2 ** 20).toFixed(0)} MiB |`,
    );
}
