// Alert-quality harness: simulates the Prometheus series the agents of a fleet would export for a
// named traffic scenario, runs the generated rules on them with `promtool test rules`, and reports
// whether and when each alert fires. Used by bench/alert-quality/run.mjs (the full 24 h scenarios)
// and test/alertQuality/harness.test.ts (a small CI subset). Run `npm run build` first.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withProfileLevels } from "../../dist/batch/learnedLevels.js";
import { parseConfig } from "../../dist/config/load.js";
import { rng } from "../../dist/demo/creditData.js";
import { driftAlerts } from "../../dist/generate/alerts/drift.js";
import { fleetDriftGroups } from "../../dist/generate/fleetDrift.js";
import { renderRuleGroups } from "../../dist/generate/rules.js";
import { sloGroups } from "../../dist/generate/slo/rules.js";
import { slis } from "../../dist/generate/slo/sli.js";
import {
  binLabels,
  categoricalBins,
  categoryBinIndex,
  numericBinIndex,
  numericBins,
} from "../../dist/stats/binning.js";
import { learnThresholds } from "../../dist/stats/learnedThresholds.js";
import { ProfileBuilder } from "../../dist/stats/profileBuilder.js";
import { poisson } from "../lib.mjs";

const MODEL = "sim";
const VERSION = "1";
/** The simulated model's inputs: x ~ N(0, 1) in 10 quantile bins, color over four categories. */
const COLORS = ["a", "b", "c", "d"];
const COLOR_WEIGHTS = [40, 30, 20, 10];
const REFERENCE_ROWS = 5000;

function modelYaml({ drift, minBadEvents }) {
  return `service: sim
models:
  - name: ${MODEL}
    version: "${VERSION}"
    task: regression
    features:
      - { name: x, type: numeric }
      - { name: color, type: categorical }
    windows: [5m, 1h]
    min_samples: 200
    drift: ${drift}
    # the harness measures when each level fires: the critical level pages (the default policy
    # makes input drift a ticket, which would move it to severity warning)
    severity: { input_drift: page }
    slo:
      availability: { objective: 99.9, period: 30d }
      min_bad_events: ${minBadEvents}
`;
}

const color = (r, newShare) => (newShare > 0 && r.next() < newShare ? "e" : r.pick(COLORS, COLOR_WEIGHTS));

/**
 * The model config with its reference profile built from REFERENCE_ROWS stable rows. `thresholds`:
 * `auto` (levels learned by bootstrap at expected_rate), `sample` (the default: levels at each
 * window's sample size) or `fixed` (PSI 0.1 / 0.25, PSI alerting).
 */
export function driftModel({ thresholds, expectedRate, resamples = 1000, seed = 7 }) {
  const drift =
    thresholds === "auto"
      ? `{ thresholds: auto, expected_rate: ${expectedRate} }`
      : thresholds === "fixed"
        ? "{ statistic: psi, thresholds: { psi: { warning: 0.1, critical: 0.25 } } }"
        : "{}";
  const model = parseConfig(modelYaml({ drift, minBadEvents: 4 }), "sim.yaml").models[0];
  const r = rng(seed);
  const rows = Array.from({ length: REFERENCE_ROWS }, () => ({ x: r.normal(), color: color(r, 0) }));
  const b = new ProfileBuilder(model);
  for (const row of rows) b.observe(row);
  b.fixBins();
  for (const row of rows) b.count(row);
  const profile = b.build();
  if (thresholds === "auto") profile.thresholds = learnThresholds(model, profile, { resamples });
  return { model: withProfileLevels(model, profile, "sim-profile"), profile };
}

const labelText = (l) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;

/**
 * Series of the drift scenario: per pod, cumulative bin counters of x and color, events, and the
 * reference gauges, one sample a minute. `pods[i].rate(minute)` is the pod's req/s,
 * `pods[i].shift(minute)` the mean shift of x in σ, `pods[i].newShare(minute)` the share of a new color.
 */
export function driftSeries(profile, { minutes, pods, seed = 11 }) {
  const r = rng(seed);
  const [xs, cs] = profile.features;
  const xBins = numericBins(xs.edges);
  const cBins = categoricalBins(cs.categories);
  const slots = [
    { name: "x", labels: binLabels(xBins), ref: xs.counts },
    { name: "color", labels: binLabels(cBins), ref: cs.counts },
  ];
  const series = [];
  pods.forEach((pod, p) => {
    const podName = `sim-${p}`;
    const counts = slots.map((s) => new Float64Array(s.labels.length));
    const values = slots.map((s) => s.labels.map(() => []));
    const events = [];
    let total = 0;
    for (let m = 0; m <= minutes; m++) {
      if (m > 0) {
        const n = poisson(r, pod.rate(m) * 60);
        const shift = pod.shift?.(m) ?? 0;
        const share = pod.newShare?.(m) ?? 0;
        for (let i = 0; i < n; i++) {
          counts[0][numericBinIndex(xBins.edges, r.normal() + shift)]++;
          counts[1][categoryBinIndex(cBins, color(r, share))]++;
        }
        total += n;
      }
      slots.forEach((_, s) => {
        counts[s].forEach((c, b) => {
          values[s][b].push(c);
        });
      });
      events.push(total);
    }
    slots.forEach((s, i) => {
      const R = s.ref.reduce((a, b) => a + b, 0);
      const base = { model: MODEL, model_version: VERSION, feature: s.name, pod: podName };
      s.labels.forEach((bin, b) => {
        series.push({
          series: `infermon_feature_bin_observations_total${labelText({ ...base, bin })}`,
          values: values[i][b].join(" "),
        });
        series.push({
          series: `infermon_feature_reference_ratio${labelText({ ...base, bin })}`,
          values: `${s.ref[b] / R}x${minutes}`,
        });
      });
      series.push({
        series: `infermon_feature_reference_observations${labelText(base)}`,
        values: `${R}x${minutes}`,
      });
    });
    series.push({
      series: `infermon_events_total${labelText({ model: MODEL, source: "tap", pod: podName })}`,
      values: events.join(" "),
    });
  });
  return series;
}

/** Drift rule file of a model: the fleet recording rules, then the drift alerts. */
export function driftRules(model) {
  const alerts = driftAlerts([model], { kafka: false });
  return renderRuleGroups([...fleetDriftGroups([model]), { name: "drift", rules: alerts.rules }]);
}

/** The SLO model and its availability rules; `variant`: infermon (bad-event guard), previous (all events), sloth (no guard, no for). */
export function sloRules({ minBadEvents = 4, variant = "infermon" } = {}) {
  const model = parseConfig(modelYaml({ drift: "{}", minBadEvents }), "sim.yaml").models[0];
  const sli = slis(model).find((s) => s.kind === "availability");
  const groups = sloGroups(sli).map((g) => {
    if (!g.rules.some((x) => "alert" in x)) return g;
    const rules = g.rules.map((rule) => {
      if (variant === "infermon") return rule;
      const [cond] = rule.expr.split("\nand on (model)\n");
      if (variant === "sloth") return { ...rule, expr: cond, for: "0s" };
      // the guard before this change: all events ≥ max(100, 5 bad events at the burn threshold)
      const factor = Number(/> \(([\d.]+) \*/.exec(cond)?.[1]);
      const long = rule.labels.long_window;
      const min = Math.max(100, Math.ceil(5 / (factor * 0.001) - 1e-9));
      return {
        ...rule,
        expr: `${cond}\nand on (model)\n  sum by (model) (increase(infermon_inference_requests_total{model="${MODEL}"}[${long}])) >= ${min}`,
      };
    });
    return { ...g, rules };
  });
  return renderRuleGroups(groups);
}

/**
 * Request counters of an SLO scenario, one sample every `step` minutes: `perMinute(m)` requests,
 * each failing with probability `errorRatio(m)`; or explicit `events` [{minute, bad}].
 */
export function sloSeries({ minutes, step = 1, perMinute, errorRatio, events, seed = 5 }) {
  const r = rng(seed);
  let good = 0;
  let bad = 0;
  const goodV = [];
  const badV = [];
  const explicit = new Map();
  for (const e of events ?? []) {
    const x = explicit.get(e.minute) ?? { good: 0, bad: 0 };
    if (e.bad) x.bad++;
    else x.good++;
    explicit.set(e.minute, x);
  }
  for (let m = 0; m <= minutes; m++) {
    if (m > 0) {
      if (events) {
        const x = explicit.get(m);
        if (x) {
          good += x.good;
          bad += x.bad;
        }
      } else {
        const n = poisson(r, perMinute(m));
        const p = errorRatio(m);
        for (let i = 0; i < n; i++) {
          if (r.next() < p) bad++;
          else good++;
        }
      }
    }
    if (m % step === 0) {
      goodV.push(good);
      badV.push(bad);
    }
  }
  const l = { model: MODEL, model_version: VERSION };
  return [
    {
      series: `infermon_inference_requests_total${labelText({ ...l, code: "200" })}`,
      values: goodV.join(" "),
    },
    {
      series: `infermon_inference_requests_total${labelText({ ...l, code: "500" })}`,
      values: badV.join(" "),
    },
  ];
}

function promtool(args, cwd) {
  return new Promise((resolve, reject) => {
    execFile(
      "promtool",
      args,
      { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") reject(err);
        else resolve(`${stdout}${stderr}`);
      },
    );
  });
}

const fmt = (minutes) => `${minutes}m`;

/**
 * Run `rules` on `series` for `minutes` with `promtool test rules`, and read back from the ALERTS
 * series, per alert name × severity (× long_window for burn-rate alerts): the first minute it
 * fired (and the first at or after `onset`), the minutes it was firing, and how many distinct
 * alerts (label sets) fired.
 */
export async function runScenario({ rules, series, minutes, step = 1, onset = 0 }) {
  const dir = mkdtempSync(join(tmpdir(), "infermon-alert-quality-"));
  try {
    writeFileSync(join(dir, "rules.yaml"), rules);
    const by = "alertname, severity, long_window";
    const firing = 'ALERTS{alertstate="firing"}';
    const q = (name, expr) => `label_replace(${expr}, "q", "${name}", "", "")`;
    const span = `${minutes}m:${step}m`;
    const exprs = [
      q("first", `min by (${by}) (min_over_time(timestamp(${firing})[${span}]))`),
      q("minutes", `sum by (${by}) (count_over_time(${firing}[${minutes}m]))`),
      q("alerts", `count by (${by}) (max_over_time(${firing}[${minutes}m]))`),
    ];
    if (onset > 0)
      exprs.push(
        q("after", `min by (${by}) (min_over_time(timestamp(${firing})[${minutes - onset}m:${step}m]))`),
      );
    const test = {
      rule_files: ["rules.yaml"],
      evaluation_interval: fmt(step),
      tests: [
        {
          interval: fmt(step),
          input_series: series,
          promql_expr_test: exprs.map((expr) => ({ expr, eval_time: fmt(minutes), exp_samples: [] })),
        },
      ],
    };
    writeFileSync(join(dir, "test.json"), JSON.stringify(test));
    const started = Date.now();
    const out = await promtool(["test", "rules", "test.json"], dir);
    const seconds = (Date.now() - started) / 1000;
    if (/could not|error|parse/i.test(out) && !/got:/.test(out)) throw new Error(`promtool: ${out}`);
    return { ...parseAlerts(out, step), seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Per alert key (`name severity [long_window]`): {first, after, minutes, alerts} in minutes. */
function parseAlerts(out, step) {
  const alerts = {};
  for (const line of out.split("\n")) {
    const got = /^\s*got: (.*)$/.exec(line);
    if (!got || got[1] === "nil") continue;
    for (const m of got[1].matchAll(/\{([^}]*)\} ([-+0-9.eE]+)/g)) {
      const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      const key = [labels.alertname, labels.severity, labels.long_window].filter(Boolean).join(" ");
      alerts[key] ??= {};
      const entry = alerts[key];
      const v = Number(m[2]);
      if (labels.q === "first" || labels.q === "after") entry[labels.q] = Math.round(v / 60);
      else if (labels.q === "minutes") entry.minutes = v * step;
      else entry.alerts = v;
    }
  }
  return { alerts };
}

/** The earliest first-firing minute among alerts of `severity` (after onset when given), or undefined. */
export function firstFiring(result, severity, { after = false, name } = {}) {
  let best;
  for (const [key, a] of Object.entries(result.alerts)) {
    const [alert, sev] = key.split(" ");
    if (sev !== severity || (name && !alert.includes(name))) continue;
    const t = after ? a.after : a.first;
    if (t !== undefined && (best === undefined || t < best)) best = t;
  }
  return best;
}
