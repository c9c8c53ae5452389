// A/B variants: the always-valid sequential test of every variant against the control
// (src/stats/sequentialTest.ts, docs/adr/0013-sequential-test.md) as recording rules over the
// agents' mergeable counters, summed over pods, and `InfermonVariantWorse` when a variant's loss is
// higher than the control's for every difference in the confidence sequence. Two metrics:
//   errors  per request: 1 when the tap answered 5xx (infermon_variant_requests_total)
//   loss    per labelled prediction: 1 for a wrong class, the absolute error for a value
//           (infermon_variant_labeled_total, _loss_total, _loss_squares_total)
import type { ModelConfig, VariantsConfig } from "../../config/model.js";
import { OTHER } from "../../export/labelValues.js";
import { type Arm, mixtureTest, significantlyWorse, type TestResult } from "../../stats/sequentialTest.js";
import { ALERT_PREFIX, groupName, LOG_SELECTOR } from "../conventions.js";
import { num, quote, sel } from "../promql.js";
import type { AlertingRule, RecordingRule } from "../rules.js";
import { topSeverity } from "../severity.js";
import type { AlertConcern, AlertSpec, ExpectedAlert, Scenario, SeriesInput } from "./types.js";
import { modelAlert } from "./types.js";

export const VARIANT_METRIC = {
  requests: "infermon_variant_requests_total",
  labeled: "infermon_variant_labeled_total",
  loss: "infermon_variant_loss_total",
  lossSquares: "infermon_variant_loss_squares_total",
} as const;

/** The recording rules' names; every one carries `metric` (errors, loss) and `variant`. */
export const TEST_RECORD = {
  observations: "model_variant:infermon_variant_test_observations:sum",
  mean: "model_variant:infermon_variant_test_mean:ratio",
  variance: "model_variant:infermon_variant_test_variance:ratio",
  difference: "model_variant:infermon_variant_test_difference:ratio",
  unpooled: "model_variant:infermon_variant_test_difference_variance_unpooled:ratio",
  pooled: "model_variant:infermon_variant_test_difference_variance_pooled:ratio",
  differenceVariance: "model_variant:infermon_variant_test_difference_variance:ratio",
  lower: "model_variant:infermon_variant_test_lower:ratio",
  upper: "model_variant:infermon_variant_test_upper:ratio",
  pValue: "model_variant:infermon_variant_test_p_value:ratio",
} as const;

export const TEST_METRICS = ["errors", "loss"] as const;
export type TestMetric = (typeof TEST_METRICS)[number];

const G = "namespace, model, variant";
const ON = "on (namespace, model, metric) group_left ()";
const FOR = "5m";

export const variantWorseSpec: AlertSpec = {
  name: `${ALERT_PREFIX}VariantWorse`,
  concern: "variants",
  summary: "An A/B variant is significantly worse than the control (always-valid sequential test).",
  description: "",
  dashboard: "rollouts",
  runbook: {
    meaning:
      "The sequential test of this variant against the control (the first of `models[].variants.names`) says its `metric` is higher: `errors` is the share of requests answered 5xx, `loss` the share of wrong classes (classification) or the mean absolute error (regression) of labelled predictions. The alert reads the lower bound of the always-valid confidence sequence of the difference (variant − control); above 0, every difference the data allows is a worsening. The test stays valid however often it is looked at (mSPRT, docs/adr/0013-sequential-test.md): the chance that it ever fires on two equal variants is at most `variants.test.alpha`.",
    impact:
      "Users sent to this variant get more errors or worse predictions than those on the control, for as long as the experiment runs.",
    diagnosis: [
      "Open the Rollouts dashboard, Variants row: the difference and its confidence sequence, the error rate and the accuracy or MAE per variant.",
      "Check the observations per arm: the test counts since each pod started (a restart starts it again).",
      "For `errors`, compare the variant's status codes with the control's; for `loss`, check that labels arrive for both variants alike (a label source that labels one variant late biases the comparison).",
    ],
    promql: [
      `${TEST_RECORD.lower}{model="<model>"}`,
      `${TEST_RECORD.mean}{model="<model>"}`,
      `sum by (variant, code) (rate(${VARIANT_METRIC.requests}{model="<model>"}[1h]))`,
    ],
    logql: [`${LOG_SELECTOR} | json | model="<model>"`],
    mitigation: [
      "Stop sending traffic to the variant (set its split to 0 in the router), then investigate with the control serving everyone.",
      "If the variant is the new model version in an A/B test, this is the answer of the test: do not promote it.",
    ],
  },
};

/** 2·ln(1/α), the boundary's level term. */
const levelTerm = (alpha: number): number => 2 * Math.log(1 / alpha);

/** τ of a metric: the mixing scale the test is tuned to (variants.test.effect). */
const tauOf = (v: VariantsConfig, metric: TestMetric): number => v.test.effect[metric];

/** The variants tested against the control: every configured name but the control (not `other`). */
const tested = (v: VariantsConfig): string[] => v.names.slice(1);

function records(model: ModelConfig): RecordingRule[] {
  const v = model.variants as VariantsConfig;
  const m = { model: model.name };
  const control = v.names[0] as string;
  const others = { re: tested(v).join("|") };
  const r = (name: string, matchers: Record<string, string | { re: string }> = {}) =>
    sel(name, { ...m, ...matchers });
  const rec = (record: string, expr: string, labels?: Record<string, string>): RecordingRule => ({
    record,
    expr,
    labels: { ...m, ...labels },
  });
  const sumOf = (metric: string, extra: Record<string, string | { re: string }> = {}) =>
    `sum by (${G}) (${sel(metric, { ...m, ...extra })})`;
  const n = (metric: TestMetric) => r(TEST_RECORD.observations, { metric });
  const mean = (metric: TestMetric) => r(TEST_RECORD.mean, { metric });
  const byArm = (name: string, variant: string | { re: string }) => r(name, { variant });
  const rules: RecordingRule[] = [
    // per arm: observations, mean and sample variance (recorded where they are defined)
    rec(TEST_RECORD.observations, sumOf(VARIANT_METRIC.requests), { metric: "errors" }),
    rec(TEST_RECORD.observations, sumOf(VARIANT_METRIC.labeled), { metric: "loss" }),
    rec(
      TEST_RECORD.mean,
      `${sumOf(VARIANT_METRIC.requests, { code: { re: "5.." } })}\n/\n(${sumOf(VARIANT_METRIC.requests)} > 0)`,
      { metric: "errors" },
    ),
    rec(TEST_RECORD.mean, `${sumOf(VARIANT_METRIC.loss)}\n/\n(${sumOf(VARIANT_METRIC.labeled)} > 0)`, {
      metric: "loss",
    }),
    // Bernoulli: (s − s²/n)/(n − 1) = mean·(1 − mean)·n/(n − 1)
    rec(
      TEST_RECORD.variance,
      `${mean("errors")} * (1 - ${mean("errors")}) * ${n("errors")}\n/\n(${n("errors")} - 1 > 0)`,
      { metric: "errors" },
    ),
    rec(
      TEST_RECORD.variance,
      `clamp_min(\n  (${sumOf(VARIANT_METRIC.lossSquares)} - ${sumOf(VARIANT_METRIC.loss)} ^ 2 / ${sumOf(VARIANT_METRIC.labeled)})\n  / (${sumOf(VARIANT_METRIC.labeled)} - 1 > 0),\n  0\n)`,
      { metric: "loss" },
    ),
  ];
  const N = (variant: string | { re: string }) => byArm(TEST_RECORD.observations, variant);
  const VAR = (variant: string | { re: string }) => byArm(TEST_RECORD.variance, variant);
  const MEAN = (variant: string | { re: string }) => byArm(TEST_RECORD.mean, variant);
  rules.push(
    rec(TEST_RECORD.difference, `${MEAN(others)}\n- ${ON}\n${MEAN(control)}`),
    rec(TEST_RECORD.unpooled, `${VAR(others)} / ${N(others)}\n+ ${ON}\n(${VAR(control)} / ${N(control)})`),
    rec(
      TEST_RECORD.pooled,
      `(\n  (${N(others)} - 1) * ${VAR(others)}\n  + ${ON}\n  ((${N(control)} - 1) * ${VAR(control)})\n)\n/ (${N(others)} + ${ON} ${N(control)} - 2)\n* (1 / ${N(others)} + ${ON} (1 / ${N(control)}))`,
    ),
    // the larger of the two (an arm that has not seen a rare error yet claims a variance of 0),
    // once both arms hold min_samples observations; nothing while neither varies
    rec(
      TEST_RECORD.differenceVariance,
      `(\n  (${r(TEST_RECORD.unpooled)} >= ${r(TEST_RECORD.pooled)})\n  or\n  ${r(TEST_RECORD.pooled)}\n) > 0\nand ${N(others)} >= ${v.test.minSamples}\nand ${ON.replace(" group_left ()", "")} (${N(control)} >= ${v.test.minSamples})`,
    ),
  );
  for (const metric of TEST_METRICS) {
    const t2 = num(tauOf(v, metric) ** 2);
    const V = r(TEST_RECORD.differenceVariance, { metric });
    const D = r(TEST_RECORD.difference, { metric });
    const half = `sqrt(${V} * (${V} + ${t2}) / ${t2} * (${num(levelTerm(v.test.alpha))} + ln((${V} + ${t2}) / ${V})))`;
    rules.push(
      rec(TEST_RECORD.lower, `${D}\n- ${half}`, { metric }),
      rec(TEST_RECORD.upper, `${D}\n+ ${half}`, { metric }),
      rec(
        TEST_RECORD.pValue,
        `clamp_max(exp(-(0.5 * ln(${V} / (${V} + ${t2})) + ${t2} * ${D} ^ 2 / (2 * ${V} * (${V} + ${t2})))), 1)`,
        { metric },
      ),
    );
  }
  return rules;
}

function alert(model: ModelConfig): AlertingRule {
  const v = model.variants as VariantsConfig;
  return modelAlert(
    variantWorseSpec,
    model,
    topSeverity(model, variantWorseSpec.concern),
    `${sel(TEST_RECORD.lower, { model: model.name })} > 0`,
    FOR,
    {
      description: `Variant {{ $labels.variant }} of model {{ $labels.model }} is worse than the control (${v.names[0]}) on {{ $labels.metric }}: higher by at least {{ $value | printf "%.3f" }} (the always-valid lower bound of the difference, alpha ${num(v.test.alpha)}).`,
    },
  );
}

/** Counts behind a scenario: per arm, requests and 5xx, labelled predictions, loss and squared loss. */
interface ArmCounts {
  requests: number;
  errors: number;
  labeled: number;
  loss: number;
  squares: number;
}

function inputFor(model: ModelConfig, variant: string, c: ArmCounts, steps: number): SeriesInput[] {
  const l = { model: model.name, variant };
  const series = (name: string, value: number, extra: Record<string, string> = {}) => ({
    series: sel(name, { ...l, ...extra }),
    values: `${num(value)}x${steps}`,
  });
  return [
    series(VARIANT_METRIC.requests, c.requests - c.errors, { code: "200" }),
    series(VARIANT_METRIC.requests, c.errors, { code: "500" }),
    series(VARIANT_METRIC.labeled, c.labeled),
    series(VARIANT_METRIC.loss, c.loss),
    series(VARIANT_METRIC.lossSquares, c.squares),
  ];
}

const armOf = (c: ArmCounts, metric: TestMetric): Arm =>
  metric === "errors"
    ? { n: c.requests, sum: c.errors, squares: c.errors }
    : { n: c.labeled, sum: c.loss, squares: c.squares };

/**
 * The recorded bounds and p-value equal the engine's (mixtureTest) on the same counts, within 1e-9;
 * the alert fires exactly where the engine says "significantly worse"; below min_samples nothing
 * is recorded.
 */
function scenarios(model: ModelConfig): Scenario[] {
  const v = model.variants as VariantsConfig;
  const control = v.names[0] as string;
  const candidate = v.names[1] as string;
  const min = v.test.minSamples;
  const n = Math.max(2000, 4 * min);
  const regression = model.task === "regression";
  const e = v.test.effect.loss;
  // loss per labelled prediction: classification 10 % vs 11 % wrong; regression a mean absolute
  // error of 10·τ vs 10.5·τ with a spread of 5·τ (squares = n·(σ² + μ²))
  const loss = (mean: number, labeled: number) =>
    regression
      ? { labeled, loss: mean * labeled, squares: labeled * ((5 * e) ** 2 + mean ** 2) }
      : { labeled, loss: Math.round(mean * labeled), squares: Math.round(mean * labeled) };
  const counts: Record<string, ArmCounts> = {
    // the candidate answers 5xx three times as often: the test must call it worse
    [control]: { requests: n, errors: Math.round(0.01 * n), ...loss(regression ? 10 * e : 0.1, n / 2) },
    [candidate]: { requests: n, errors: Math.round(0.03 * n), ...loss(regression ? 10.5 * e : 0.11, n / 2) },
  };
  for (const other of [...v.names.slice(2), OTHER])
    counts[other] = { requests: 0, errors: 0, labeled: 0, loss: 0, squares: 0 };
  const steps = 12;
  const input = Object.entries(counts).flatMap(([variant, c]) => inputFor(model, variant, c, steps));
  const results = new Map<TestMetric, TestResult | undefined>();
  const opts = (metric: TestMetric) => ({ tau: tauOf(v, metric), alpha: v.test.alpha, minSamples: min });
  for (const metric of TEST_METRICS)
    results.set(
      metric,
      mixtureTest(
        armOf(counts[control] as ArmCounts, metric),
        armOf(counts[candidate] as ArmCounts, metric),
        opts(metric),
      ),
    );
  const labels = (metric: TestMetric) =>
    `{metric="${metric}", model="${model.name}", variant="${candidate}"}`;
  const close = (record: string, metric: TestMetric, value: number) => ({
    expr: `abs(${sel(record, { model: model.name, variant: candidate, metric })} - ${value}) < bool 1e-9`,
    samples: [{ labels: labels(metric), value: 1 }],
  });
  const exprs = TEST_METRICS.flatMap((metric) => {
    const t = results.get(metric);
    if (!t) return [{ expr: sel(TEST_RECORD.lower, { model: model.name, metric }), samples: [] }];
    return [
      close(TEST_RECORD.lower, metric, t.lower),
      close(TEST_RECORD.upper, metric, t.upper),
      close(TEST_RECORD.pValue, metric, t.pValue),
    ];
  });
  const firing: ExpectedAlert[] = TEST_METRICS.filter((metric) =>
    significantlyWorse(results.get(metric)),
  ).map((metric) => ({
    model: model.name,
    severity: topSeverity(model, variantWorseSpec.concern),
    labels: { metric, model: model.name, variant: candidate },
    value: (results.get(metric) as TestResult).lower,
  }));
  // the same counts below min_samples: nothing recorded, nothing fires
  const few = Math.max(2, min - 1);
  const small: ArmCounts = {
    requests: few,
    errors: 1,
    labeled: few,
    loss: regression ? few * e : 1,
    squares: regression ? few * e * e : 1,
  };
  const smallInput = [
    ...inputFor(model, control, small, steps),
    ...inputFor(model, candidate, { ...small, errors: Math.min(few, 2) }, steps),
  ];
  return [
    {
      name: `${model.name}: the test's bounds and p-value equal the engine's; ${candidate} (3 % errors vs 1 %) is worse on errors`,
      input,
      evalTime: "10m",
      expect: [{ alertname: variantWorseSpec.name, alerts: firing }],
      exprs,
    },
    {
      name: `${model.name}: fewer than ${min} observations per arm record nothing and never fire`,
      input: smallInput,
      evalTime: "10m",
      expect: [{ alertname: variantWorseSpec.name, alerts: [] }],
      exprs: [{ expr: sel(TEST_RECORD.differenceVariance, { model: model.name }), samples: [] }],
    },
  ];
}

export const variantAlerts: AlertConcern = (models) => {
  const withVariants = models.filter((m) => m.variants);
  if (withVariants.length === 0) return undefined;
  return {
    file: "variants",
    group: groupName("variants"),
    records: withVariants.flatMap(records),
    rules: withVariants.map(alert),
    specs: [variantWorseSpec],
    scenarios: withVariants.flatMap(scenarios),
  };
};

/** `variant=~"a|b"` of the tested variants, for dashboards. */
export const testedVariants = (v: VariantsConfig): string => quote(tested(v).join("|"));
