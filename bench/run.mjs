// Runs the core benchmarks in one go and prints a Markdown summary (medians; see bench/README.md).
// Usage: npm run bench [-- ingest memory batch]
import { runBatch } from "./batch.mjs";
import { runIngest } from "./ingest.mjs";
import { mb } from "./lib.mjs";
import { runMemory } from "./memory.mjs";

const wanted = new Set(process.argv.slice(2));
const want = (name) => wanted.size === 0 || wanted.has(name);
const lines = [`node ${process.version}, ${new Date().toISOString().slice(0, 10)}`, ""];

if (want("ingest")) {
  const r = runIngest();
  const m = (x) => `${(x / 1e6).toFixed(1)} M values/s`;
  lines.push(
    "### Ingest (100 features × 10 bins, one core, median of 5)",
    "",
    "| path | throughput | vs naive |",
    "| --- | ---: | ---: |",
    `| agent path: BinLayout.binOf + 2 sliding windows | ${m(r.agentPath)} | ${(r.agentPath / r.naiveBaseline).toFixed(2)}× |`,
    `| bare bin search + counts | ${m(r.bareBinSearch)} | ${(r.bareBinSearch / r.naiveBaseline).toFixed(2)}× |`,
    `| naive baseline: linear scan + Map | ${m(r.naiveBaseline)} | 1.00× |`,
    "",
  );
}
if (want("memory")) {
  const r = runMemory();
  lines.push(
    "### Memory (5 models × 100 features × 12 bins × 2 windows × 60 sub-buckets, RSS after GC, median of 3)",
    "",
    "| state | RSS |",
    "| --- | ---: |",
    `| empty node process (baseline) | ${mb(r.emptyNode)} MB |`,
    `| windows allocated, no events | ${mb(r.windowsOnly)} MB |`,
    `| after 10k events | ${mb(r.after10k)} MB |`,
    `| after 1M events (100×) | ${mb(r.after1M)} MB (${((r.after1M / r.after10k - 1) * 100).toFixed(1)}%) |`,
    "",
  );
}
if (want("batch")) {
  const r = await runBatch();
  const row = (name, x) => `| ${name} | ${(x.ms / 1000).toFixed(2)} s | ${mb(x.peakRss)} MB |`;
  lines.push(
    `### Batch (1M reference rows × 20 features = ${r.referenceMiB.toFixed(0)} MiB CSV, 100k current rows = ${r.currentMiB.toFixed(0)} MiB; median of ${process.env.BENCH_REPS ?? 3})`,
    "",
    "| run | wall | peak RSS |",
    "| --- | ---: | ---: |",
    row("floor: csv-parse reads reference twice + current, no statistics", r.parseOnlyFloor),
    row("`infermon drift`, reference as data file (2 passes + current)", r.driftDataReference),
    row("`infermon baseline` on the 1M rows", r.baseline),
    row("`infermon baseline` on 100k rows (memory stays bounded)", r.baselineTenthRows),
    row("`infermon drift`, reference as profile", r.driftProfileReference),
    "",
  );
}
console.log(lines.join("\n"));
