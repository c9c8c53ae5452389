// How long the CLI takes to answer before doing any work: `--help`, a subcommand's `--help`, a
// usage error, and `validate` (config + profiles, no agent). Compares this build with a baseline
// build (e.g. the previous version's dist/) in the same run: hyperfine when installed (Debian
// package `hyperfine`), else a plain loop; rounds alternate the order, medians over all runs.
// Run: npm run build && node bench/cli/startup.mjs --baseline /path/to/old/dist/cli/main.js
//        [--runs 10] [--rounds 2]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    baseline: { type: "string" },
    runs: { type: "string", default: "10" },
    rounds: { type: "string", default: "2" },
  },
});
const runs = Number(values.runs);
const rounds = Number(values.rounds);
const root = new URL("../..", import.meta.url).pathname;
const builds = { candidate: join(root, "dist/cli/main.js") };
if (values.baseline) builds.baseline = values.baseline;
const cases = {
  "--help": ["--help"],
  "drift --help": ["drift", "--help"],
  "usage error (baseline, no options)": ["baseline"],
  "validate examples/infermon.yaml": ["validate", "-c", join(root, "examples/infermon.yaml")],
};
const hasHyperfine = spawnSync("hyperfine", ["--version"]).status === 0;
const dir = mkdtempSync(join(tmpdir(), "infermon-startup-"));
const times = {}; // case -> build -> seconds[]
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const loadBefore = load();

function measure(argv) {
  if (hasHyperfine) {
    const out = join(dir, "h.json");
    execFileSync(
      "hyperfine",
      ["-N", "-i", "--warmup", "1", "--runs", String(runs), "--export-json", out, argv.map(quote).join(" ")],
      { stdio: "ignore" },
    );
    return JSON.parse(readFileSync(out, "utf8")).results[0].times;
  }
  const ts = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    spawnSync(argv[0], argv.slice(1), { stdio: "ignore" });
    ts.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  return ts;
}
const quote = (s) => (/^[\w./:=@-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

for (let r = 0; r < rounds; r++) {
  const order = Object.keys(builds);
  if (r % 2) order.reverse();
  for (const [name, args] of Object.entries(cases)) {
    for (const b of order) {
      const ts = measure([process.execPath, builds[b], ...args]);
      times[name] ??= {};
      times[name][b] = [...(times[name][b] ?? []), ...ts];
    }
  }
}

console.log(
  `node ${process.version}, ${hasHyperfine ? "hyperfine" : "loop"}, ${runs} runs × ${rounds} rounds per build`,
);
console.log(`load average before: ${loadBefore}, after: ${load()}\n`);
const names = Object.keys(builds);
console.log(
  `| command | ${names.map((n) => `${n} median (s)`).join(" | ")}${builds.baseline ? " | candidate ÷ baseline |" : ""}`,
);
console.log(`| --- | ${names.map(() => "---").join(" | ")}${builds.baseline ? " | --- |" : ""}`);
for (const [name, byBuild] of Object.entries(times)) {
  const m = names.map((n) => median(byBuild[n]));
  const ratio = builds.baseline ? ` | ${(m[0] / m[1]).toFixed(2)} |` : "";
  console.log(`| \`${name}\` | ${m.map((x) => x.toFixed(3)).join(" | ")}${ratio}`);
}
