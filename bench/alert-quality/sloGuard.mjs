// Choosing the default of `slo.min_bad_events` (N): the four burn-rate tiers (SRE workbook, as
// generated) evaluated exactly, minute by minute, on simulated request counts, for N = 1…10:
//   - false pages: a healthy model (errors at half the budget, 0.05 % for 99.9 %) for 360 days
//     at 48 req/h, 1 req/min, 1 req/s and 10 req/s — page episodes per 30 days;
//   - time to page: 25 % errors at 48 req/h (the low-traffic model), 5 % at 1 req/min,
//     2 % at 10 req/s — minutes from the start of the failure (median of 20 runs);
//   - one failed request out of four (pages or not).
// Run: node bench/alert-quality/sloGuard.mjs [--days 360] [--runs 20]
import { parseArgs } from "node:util";
import { median, poisson, rng } from "../lib.mjs";

const { values: opt } = parseArgs({
  options: { days: { type: "string", default: "360" }, runs: { type: "string", default: "20" } },
});
const DAYS = Number(opt.days);
const RUNS = Number(opt.runs);
const BUDGET = 0.001;
// the generated tiers (src/generate/conventions.ts): factor, long, short, for (minutes), page?
const TIERS = [
  { factor: 14.4, long: 60, short: 5, for: 2, page: true },
  { factor: 6, long: 360, short: 30, for: 15, page: true },
  { factor: 3, long: 1440, short: 120, for: 60, page: false },
  { factor: 1, long: 4320, short: 360, for: 180, page: false },
];

/** Per-minute totals and bad counts for `minutes`, `perMinute` requests each failing with `ratio(m)`. */
function traffic(seed, minutes, perMinute, ratio) {
  const r = rng(seed);
  const all = new Float64Array(minutes + 1);
  const bad = new Float64Array(minutes + 1);
  for (let m = 1; m <= minutes; m++) {
    const n = poisson(r, perMinute);
    let b = 0;
    const p = ratio(m);
    if (n * p > 20) b = Math.min(n, poisson(r, n * p));
    else for (let i = 0; i < n; i++) if (r.next() < p) b++;
    all[m] = all[m - 1] + n;
    bad[m] = bad[m - 1] + b;
  }
  return { all, bad };
}

/** Minutes at which a page starts (a page tier goes from not firing to firing), for guard N. */
function pageStarts({ all, bad }, n, from = 0) {
  const minutes = all.length - 1;
  const starts = [];
  const held = TIERS.map(() => 0);
  let firing = false;
  for (let m = Math.max(1, from); m <= minutes; m++) {
    let page = false;
    TIERS.forEach((t, i) => {
      const w = (len) => {
        const a = Math.max(0, m - len);
        return { all: all[m] - all[a], bad: bad[m] - bad[a] };
      };
      const L = w(t.long);
      const S = w(t.short);
      const th = t.factor * BUDGET;
      const cond = L.all > 0 && S.all > 0 && L.bad / L.all > th && S.bad / S.all > th && L.bad >= n;
      held[i] = cond ? held[i] + 1 : 0;
      if (t.page && held[i] > t.for) page = true;
    });
    if (page && !firing) starts.push(m);
    firing = page;
  }
  return starts;
}

const NS = [1, 2, 3, 4, 5, 6, 8, 10];
const out = [];
const healthy = [
  ["48 req/h", 0.8],
  ["1 req/min", 1],
  ["1 req/s", 60],
  ["10 req/s", 600],
];
const minutes = DAYS * 1440;
const falsePages = {};
for (const [name, perMinute] of healthy) {
  const t = traffic(1, minutes, perMinute, () => BUDGET / 2);
  falsePages[name] = NS.map((n) => (pageStarts(t, n).length * 30) / DAYS);
}
const failing = [
  ["25 % at 48 req/h", 0.8, 0.25],
  ["5 % at 1 req/min", 1, 0.05],
  ["2 % at 10 req/s", 600, 0.02],
];
const onset = 3 * 1440; // three healthy days first: every window full
const toPage = {};
for (const [name, perMinute, ratio] of failing) {
  toPage[name] = NS.map((n) => {
    const times = [];
    for (let s = 0; s < RUNS; s++) {
      const t = traffic(100 + s, onset + 2 * 1440, perMinute, (m) => (m > onset ? ratio : BUDGET / 2));
      const start = pageStarts(t, n, onset + 1)[0];
      times.push(start === undefined ? Number.POSITIVE_INFINITY : start - onset);
    }
    return median(times);
  });
}
// one failed request out of four, in an otherwise idle hour
const one = { all: new Float64Array(361), bad: new Float64Array(361) };
for (let m = 1; m <= 360; m++) {
  const n = [10, 20, 30, 40].includes(m) ? 1 : 0;
  one.all[m] = one.all[m - 1] + n;
  one.bad[m] = one.bad[m - 1] + (m === 30 ? 1 : 0);
}
const oneInFour = NS.map((n) => pageStarts(one, n).length > 0);

const row = (label, cells) => `| ${label} | ${cells.join(" | ")} |`;
out.push(
  `Guard N (bad events in the long window) — ${DAYS} simulated days per healthy rate, ${RUNS} runs per failure`,
);
out.push("");
out.push(row("N", NS.map(String)));
out.push(
  row(
    "---",
    NS.map(() => "---"),
  ),
);
for (const [name] of healthy)
  out.push(
    row(
      `false pages / 30 d, healthy ${name}`,
      falsePages[name].map((x) => x.toFixed(2)),
    ),
  );
for (const [name] of failing)
  out.push(
    row(
      `minutes to page, ${name}`,
      toPage[name].map((x) => (Number.isFinite(x) ? String(x) : "never")),
    ),
  );
out.push(
  row(
    "1 error in 4 requests pages",
    oneInFour.map((x) => (x ? "yes" : "no")),
  ),
);
process.stdout.write(`${out.join("\n")}\n`);
