// The alert-quality harness, full run: every scenario of scenarios.mjs through `promtool test
// rules`, drift with learned (auto) and fixed (0.1/0.25) levels, SLOs with this generator's
// bad-event guard, the previous all-events guard and Sloth's shape (same tiers, no guard, no
// `for`). Prints the markdown tables of bench/README.md and docs/generate.md.
// Run: npm run build && node bench/alert-quality/run.mjs [--only NAME]   (about 10-15 min on 2 cores)
import { parseArgs } from "node:util";
import { DRIFT, runDrift, runSlo, SLO } from "./scenarios.mjs";

const { values: opt } = parseArgs({ options: { only: { type: "string" } } });
const pick = (list) => list.filter((s) => s.benchToo !== false && (!opt.only || s.name.includes(opt.only)));
const show = (t) => (t === undefined ? "never" : `${t} min`);

const drift = [
  "| scenario | expected | auto: page | auto: ticket | fixed 0.1/0.25: page | fixed: ticket | paged alerts (auto) |",
  "| --- | --- | --- | --- | --- | --- | --- |",
];
for (const s of pick(DRIFT)) {
  const auto = await runDrift(s, "auto");
  const fixed = await runDrift(s, "fixed");
  const alerts = Object.entries(auto.pagedAlerts)
    .map(([k, n]) => `${k.replace("InfermonFeatureDrift", "")} ${n}`)
    .join(", ");
  drift.push(
    `| ${s.name} | ${s.expect} | ${show(auto.page)} | ${show(auto.ticket)} | ${show(fixed.page)} | ${show(fixed.ticket)} | ${alerts || "–"} |`,
  );
  process.stderr.write(
    `${s.name}: auto ${JSON.stringify(auto.alerts)} fixed ${JSON.stringify(fixed.alerts)} (${auto.seconds}+${fixed.seconds} s)\n`,
  );
}

const slo = [
  "| scenario | expected | infermon (≥ N bad events): page | ticket | previous guard (all events): page | Sloth tiers (no guard): page | Sloth: minutes paging |",
  "| --- | --- | --- | --- | --- | --- | --- |",
];
for (const s of pick(SLO)) {
  const now = await runSlo(s, "infermon");
  const before = await runSlo(s, "previous");
  const sloth = await runSlo(s, "sloth");
  slo.push(
    `| ${s.name} | ${s.expect} | ${show(now.page)} | ${show(now.ticket)} | ${show(before.page)} | ${show(sloth.page)} | ${sloth.pageMinutes} |`,
  );
  process.stderr.write(`${s.name}: ${JSON.stringify(now.alerts)} (${now.seconds} s)\n`);
}

process.stdout.write(
  `Drift (minutes after the change; for stable traffic, from the start)\n\n${drift.join("\n")}\n\nSLO availability 99.9 % / 30 d (minutes after the failure starts)\n\n${slo.join("\n")}\n`,
);
