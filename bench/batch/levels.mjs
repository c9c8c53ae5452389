// What the drift levels cost in `infermon drift` (issue #17): the same 1M-row current file against
// the same stored profile, judged with fixed levels, with the default levels at each feature's
// sample size (closed form), and with levels learned by bootstrap at each feature's size (1000
// multinomial draws per feature, `drift.expected_rate` set). Interleaved rounds, medians, ratios to
// the fixed run. Run: npm run build && node bench/batch/levels.mjs [--rows 1000000] [--rounds 5]
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { configYaml, DIR, makeData } from "./data.mjs";

const { values } = parseArgs({
  options: { rows: { type: "string", default: "1000000" }, rounds: { type: "string", default: "5" } },
});
const rows = Number(values.rows);
const rounds = Number(values.rounds);
const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const files = await makeData(rows);
const base = configYaml();
const variants = {
  fixed: `${base}    drift: {statistic: js, thresholds: {js: {warning: 0.1, critical: 0.2}}}\n`,
  "sample size (default)": base,
  "learned (bootstrap)": `${base}    drift: {expected_rate: 10}\n`,
};
const cfg = Object.fromEntries(
  Object.entries(variants).map(([name, text], i) => {
    const path = `${DIR}levels-${i}.yaml`;
    writeFileSync(path, text);
    return [name, path];
  }),
);
// one profile with learned levels (the others ignore them)
const profile = `${DIR}levels-profile.json`;
execFileSync(
  process.execPath,
  [
    CLI,
    "baseline",
    "-c",
    cfg["learned (bootstrap)"],
    "-m",
    "bench",
    "--data",
    files.refParquet,
    "-o",
    profile,
  ],
  {
    stdio: ["ignore", "ignore", "inherit"],
  },
);
const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, path] of Object.entries(cfg)) {
    const t = process.hrtime.bigint();
    const out = spawnSync(
      process.execPath,
      [CLI, "drift", "-c", path, "-m", "bench", "--reference", profile, "--current", files.curParquet],
      {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    if (out.status !== 0) throw new Error(`${name}: exit ${out.status} ${out.stderr}`);
    const source = JSON.parse(out.stdout).features[0].levels.source;
    times[name].push(Number(process.hrtime.bigint() - t) / 1e9);
    process.stderr.write(`round ${r + 1} ${name} (${source}): ${times[name].at(-1).toFixed(2)} s\n`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fixed = median(times.fixed);
const load = execFileSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).split(" ").slice(0, 3).join(" ");
console.log(
  `infermon drift, ${rows} current rows (Parquet), 22 features, ${rounds} interleaved rounds, load ${load}`,
);
console.log("| levels | median wall (s) | × fixed |");
console.log("| --- | --- | --- |");
for (const [name, xs] of Object.entries(times))
  console.log(`| ${name} | ${median(xs).toFixed(2)} | ${(median(xs) / fixed).toFixed(2)} |`);
