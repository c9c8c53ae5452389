// Batch: `infermon drift` on 1M reference rows × 20 features vs 100k current rows, wall time and
// peak RSS; with the reference as a data file and as a profile; against the floor of parsing the
// same CSV files with csv-parse and doing nothing else.
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { makeBatchData, OUT } from "./batchData.mjs";
import { median, runNode } from "./lib.mjs";

const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const PARSE_ONLY = fileURLToPath(new URL("./parseOnly.mjs", import.meta.url));
const REPS = Number(process.env.BENCH_REPS ?? 3);

async function measure(args) {
  const runs = [];
  for (let i = 0; i < REPS; i++) {
    const r = await runNode(args);
    if (r.code !== 0 && r.code !== 1) throw new Error(`${args.join(" ")} failed (${r.code}): ${r.stderr}`);
    runs.push(r);
  }
  return { ms: median(runs.map((r) => r.ms)), peakRss: median(runs.map((r) => r.peakRss)) };
}

export async function runBatch() {
  const { ref, cur, cfg } = await makeBatchData();
  const profile = `${OUT}bench-profile.json`;
  const base = ["-c", cfg, "-m", "bench"];
  return {
    referenceMiB: statSync(ref).size / 1048576,
    currentMiB: statSync(cur).size / 1048576,
    parseOnlyFloor: await measure([PARSE_ONLY, ref, ref, cur]),
    driftDataReference: await measure([CLI, "drift", ...base, "--reference", ref, "--current", cur]),
    baseline: await measure([CLI, "baseline", ...base, "--data", ref, "-o", profile]),
    // memory is bounded by the sample and the bins, not the rows: 10× fewer rows, similar peak RSS
    baselineTenthRows: await measure([
      CLI,
      "baseline",
      ...base,
      "--data",
      cur,
      "-o",
      `${OUT}bench-profile-small.json`,
    ]),
    driftProfileReference: await measure([CLI, "drift", ...base, "--reference", profile, "--current", cur]),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runBatch();
  console.log(JSON.stringify(r, null, 2));
}
