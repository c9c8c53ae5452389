// The named traffic scenarios of the alert-quality harness (issue #10) and what each must show.
// `ci: true` marks the small subset test/alertQuality/harness.test.ts runs on every CI run; the
// rest (24 h at up to 100 req/s) runs with `node bench/alert-quality/run.mjs`.
import {
  driftModel,
  driftRules,
  driftSeries,
  firstFiring,
  runScenario,
  sloRules,
  sloSeries,
} from "./harness.mjs";

const H = 60;
const models = new Map();
/** Models are expensive at high rates (bootstrap): one per (thresholds, rate). */
function model(thresholds, expectedRate) {
  const key = `${thresholds}@${expectedRate}`;
  if (!models.has(key)) models.set(key, driftModel({ thresholds, expectedRate }));
  return models.get(key);
}

const steady = (rate) => () => rate;
const after = (onset, v) => (m) => (m > onset ? v : 0);

/** Drift scenarios: `pods` as harness.driftSeries takes them; expect: page (critical) or none. */
export const DRIFT = [
  {
    name: "stable 24 h at 1 req/s",
    rate: 1,
    minutes: 24 * H,
    pods: [{ rate: steady(1) }],
    expect: "no page",
  },
  {
    name: "stable 24 h at 10 req/s",
    rate: 10,
    minutes: 24 * H,
    pods: [{ rate: steady(10) }],
    expect: "no page",
  },
  {
    name: "stable 24 h at 100 req/s",
    rate: 100,
    minutes: 24 * H,
    pods: [{ rate: steady(100) }],
    expect: "no page",
  },
  {
    name: "0.5σ mean shift of x at 100 req/s",
    rate: 100,
    minutes: 5 * H,
    onset: 2 * H,
    pods: [{ rate: steady(100), shift: after(2 * H, 0.5) }],
    expect: "page within 2 windows",
  },
  {
    name: "new color at 5 % at 10 req/s",
    rate: 10,
    minutes: 5 * H,
    onset: 2 * H,
    pods: [{ rate: steady(10), newShare: after(2 * H, 0.05) }],
    expect: "page within 2 windows",
  },
  {
    name: "two replicas at 50 req/s, only one sees a 0.5σ shift",
    rate: 100,
    minutes: 5 * H,
    onset: 2 * H,
    pods: [{ rate: steady(50), shift: after(2 * H, 0.5) }, { rate: steady(50) }],
    expect: "page within 2 windows",
  },
  // CI subset: the same shapes at rates whose bootstrap is quick
  {
    name: "stable 6 h at 1 req/s",
    rate: 1,
    minutes: 6 * H,
    pods: [{ rate: steady(1) }],
    expect: "no page",
    ci: true,
    benchToo: false,
  },
  {
    name: "two replicas at 5 req/s, only one sees a 0.5σ shift",
    rate: 10,
    minutes: 4 * H,
    onset: H,
    pods: [{ rate: steady(5), shift: after(H, 0.5) }, { rate: steady(5) }],
    expect: "page within 2 windows",
    ci: true,
    benchToo: false,
  },
];

/** Runs a drift scenario with learned (`auto`) and fixed levels; minutes to the first page after onset. */
export async function runDrift(s, thresholds = "auto") {
  const { model: m, profile } = model(thresholds, s.rate);
  const series = driftSeries(profile, { minutes: s.minutes, pods: s.pods });
  const result = await runScenario({ rules: driftRules(m), series, minutes: s.minutes, onset: s.onset ?? 0 });
  const page = firstFiring(result, "critical", { after: s.onset !== undefined });
  const ticket = firstFiring(result, "warning", { after: s.onset !== undefined });
  const sinceOnset = (t) => (t === undefined ? undefined : t - (s.onset ?? 0));
  // distinct alerts paged per statistic: one per model × feature × statistic, whatever the pods
  const pagedAlerts = Object.entries(result.alerts)
    .filter(([k]) => k.endsWith(" critical") && k.startsWith("InfermonFeatureDrift"))
    .map(([k, a]) => [k.split(" ")[0], a.alerts]);
  const prePage =
    s.onset === undefined
      ? undefined
      : (() => {
          const t = firstFiring(result, "critical");
          return t !== undefined && t < s.onset;
        })();
  return {
    page: sinceOnset(page),
    ticket: sinceOnset(ticket),
    prePage,
    pagedAlerts: Object.fromEntries(pagedAlerts),
    info: firstFiring(result, "info"),
    seconds: result.seconds,
    alerts: result.alerts,
  };
}

/** SLO scenarios (availability 99.9 %, 30 d): expect page / no page. */
export const SLO = [
  {
    name: "48 req/h with 25 % errors (3.5 days)",
    minutes: 84 * H,
    step: 5,
    series: { perMinute: () => 0.8, errorRatio: () => 0.25 },
    expect: "page",
    ci: true,
  },
  {
    name: "1 error in 4 requests",
    minutes: 6 * H,
    series: {
      events: [
        { minute: 10, bad: false },
        { minute: 20, bad: false },
        { minute: 30, bad: true },
        { minute: 40, bad: false },
      ],
    },
    expect: "no page",
    ci: true,
  },
  {
    name: "0.05 % errors at 10 req/s for 6 h",
    minutes: 6 * H,
    series: { perMinute: () => 600, errorRatio: () => 0.0005 },
    expect: "no page",
  },
  {
    name: "2 % errors at 10 req/s (after 6 h at 0.05 %)",
    minutes: 9 * H,
    onset: 6 * H,
    series: { perMinute: () => 600, errorRatio: (m) => (m > 6 * H ? 0.02 : 0.0005) },
    expect: "page",
    ci: true,
  },
  {
    name: "48 req/h at 0.05 % errors for 3.5 days",
    minutes: 84 * H,
    step: 5,
    series: { perMinute: () => 0.8, errorRatio: () => 0.0005 },
    expect: "no page",
  },
];

/** One SLO scenario under a rule variant: minutes to the first page (critical) and ticket, after onset. */
export async function runSlo(s, variant = "infermon") {
  const step = s.step ?? 1;
  const series = sloSeries({ minutes: s.minutes, step, ...s.series });
  const result = await runScenario({
    rules: sloRules({ variant }),
    series,
    minutes: s.minutes,
    step,
    onset: s.onset ?? 0,
  });
  const after = s.onset !== undefined;
  const page = firstFiring(result, "critical", { after });
  const ticket = firstFiring(result, "warning", { after });
  const since = (t) => (t === undefined ? undefined : t - (s.onset ?? 0));
  const pageMinutes = Object.entries(result.alerts)
    .filter(([k]) => k.includes(" critical"))
    .reduce((a, [, v]) => Math.max(a, v.minutes ?? 0), 0);
  return {
    page: since(page),
    ticket: since(ticket),
    pageMinutes,
    seconds: result.seconds,
    alerts: result.alerts,
  };
}
