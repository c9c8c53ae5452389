// The batch benchmark (issue #12): infermon `baseline` + `drift` and `drift` against a stored
// profile, on 1M reference + 1M current rows × 20 numeric + 2 categorical features, CSV and Parquet,
// against Evidently 0.7.23 (DataDriftPreset, PSI) and a numpy/pandas floor on the same files.
// Interleaved rounds, medians; wall time and peak RSS from /usr/bin/time (the whole process,
// DuckDB's native memory included).
//
//   npm run build && node bench/batch/run.mjs [--rounds 3] [--formats csv,parquet] [--rows 1000000]
//     [--skip numpy,evidently] [--baseline-cli path/to/previous/dist/cli/main.js]
// --baseline-cli adds the infermon targets once more with another build (the previous version),
// interleaved in the same rounds.
// Results: bench/out/batch/results.json (figures for bench/README.md).
import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DIR, makeData } from "./data.mjs";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    formats: { type: "string", default: "csv,parquet" },
    rows: { type: "string", default: "1000000" },
    skip: { type: "string", default: "" },
    "baseline-cli": { type: "string" },
  },
});
const ROUNDS = Number(args.rounds);
const FORMATS = args.formats.split(",");
const SKIP = new Set(args.skip.split(",").filter(Boolean));
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
// INFERMON_BENCH_CLI: a copy of dist/ to measure while the tree keeps changing
const CLI = process.env.INFERMON_BENCH_CLI ?? here("../../dist/cli/main.js");

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Run a command under /usr/bin/time: wall seconds and peak RSS (MB). */
function timed(cmd, argv) {
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-f", "__TIME__ %e %M %U %S", cmd, ...argv], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const m = err.match(/__TIME__ ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/);
      if (!m || code !== 0) reject(new Error(`${cmd} ${argv.join(" ")}: exit ${code}\n${err}`));
      else resolve({ s: Number(m[1]), mb: Number(m[2]) / 1024, cpu: Number(m[3]) + Number(m[4]) });
    });
  });
}

async function sequence(steps) {
  let s = 0;
  let mb = 0;
  let cpu = 0;
  for (const [cmd, argv] of steps) {
    const r = await timed(cmd, argv);
    s += r.s;
    cpu += r.cpu;
    mb = Math.max(mb, r.mb);
  }
  return { s, mb, cpu };
}

const files = await makeData(Number(args.rows));
const needsPython = !(SKIP.has("numpy") && SKIP.has("evidently"));
const venv = needsPython
  ? execFileSync("bash", [here("./evidentlyVenv.sh")], { encoding: "utf8" }).trim()
  : "";
const py = `${venv}/bin/python`;
const base = ["-c", files.cfg, "-m", "bench"];
const profile = (f) => `${DIR}bench-profile-${f}.json`;

const targets = [];
const clis = [[CLI, ""]];
if (args["baseline-cli"]) clis.push([args["baseline-cli"], " [baseline]"]);
for (const f of FORMATS) {
  const ref = f === "csv" ? files.refCsv : files.refParquet;
  const cur = f === "csv" ? files.curCsv : files.curParquet;
  for (const [cli, tag] of clis) {
    const prof = tag ? profile(f).replace(/\.json$/, "-baseline.json") : profile(f);
    targets.push(
      {
        name: `infermon baseline + drift (${f})${tag}`,
        format: f,
        kind: `infermon-both${tag ? "-baseline" : ""}`,
        run: () =>
          sequence([
            [process.execPath, [cli, "baseline", ...base, "--data", ref, "-o", prof]],
            [process.execPath, [cli, "drift", ...base, "--reference", prof, "--current", cur]],
          ]),
      },
      {
        name: `infermon drift vs stored profile (${f})${tag}`,
        format: f,
        kind: `infermon-drift${tag ? "-baseline" : ""}`,
        run: () => timed(process.execPath, [cli, "drift", ...base, "--reference", prof, "--current", cur]),
      },
    );
  }
  targets.push(
    {
      name: `numpy floor (${f})`,
      format: f,
      kind: "numpy",
      run: () => timed(py, [here("./numpy_floor.py"), ref, cur]),
    },
    {
      name: `Evidently 0.7.23 (${f})`,
      format: f,
      kind: "evidently",
      run: () => timed(py, [here("./evidently_drift.py"), ref, cur]),
    },
  );
}

const active = targets.filter((t) => !SKIP.has(t.kind));
const runs = new Map(active.map((t) => [t.name, []]));
const load = () =>
  execFileSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).split(" ").slice(0, 3).join(" ");
const loads = [load()];
for (let r = 1; r <= ROUNDS; r++) {
  for (const t of active) {
    const x = await t.run();
    runs.get(t.name).push(x);
    console.error(`round ${r}: ${t.name}: ${x.s.toFixed(2)} s, ${x.mb.toFixed(0)} MB (load ${load()})`);
  }
  loads.push(load());
  report(r, r === ROUNDS);
}

function report(roundsDone, print) {
  const results = active.map((t) => {
    const rs = runs.get(t.name);
    return {
      name: t.name,
      format: t.format,
      kind: t.kind,
      wallS: median(rs.map((x) => x.s)),
      peakMB: median(rs.map((x) => x.mb)),
      cpuS: median(rs.map((x) => x.cpu)),
      rounds: rs,
    };
  });
  const get = (kind, f) => results.find((x) => x.kind === kind && x.format === f);
  const ratios = {};
  for (const f of FORMATS) {
    const ev = get("evidently", f);
    const np = get("numpy", f);
    const both = get("infermon-both", f);
    const drift = get("infermon-drift", f);
    ratios[f] = {
      driftVsEvidently: ev && drift ? ev.wallS / drift.wallS : null,
      driftVsEvidentlyCpu: ev && drift ? ev.cpuS / drift.cpuS : null,
      bothVsEvidentlyCpu: ev && both ? ev.cpuS / both.cpuS : null,
      bothVsNumpyCpu: np && both ? np.cpuS / both.cpuS : null,
      bothVsEvidently: ev && both ? ev.wallS / both.wallS : null,
      bothVsNumpy: np && both ? np.wallS / both.wallS : null,
    };
  }
  const out = {
    roundsDone,
    date: new Date().toISOString(),
    node: process.version,
    rounds: ROUNDS,
    loadavg: loads,
    results,
    ratios,
  };
  writeFileSync(`${DIR}results.json`, `${JSON.stringify(out, null, 2)}\n`);
  print &&
    console.log(
      "| run | wall (median) | CPU user+sys (median) | peak RSS (median) |\n| --- | ---: | ---: | ---: |",
    );
  for (const x of results)
    print &&
      console.log(
        `| ${x.name} | ${x.wallS.toFixed(2)} s | ${x.cpuS.toFixed(2)} s | ${x.peakMB.toFixed(0)} MB |`,
      );
  print && console.log(JSON.stringify(ratios, null, 2));
}
