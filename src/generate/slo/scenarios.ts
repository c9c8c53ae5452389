// promtool scenarios for the burn-rate alerts: for every tier, an error ratio between its
// threshold and the next one fires exactly the tiers at or below it; a ratio under 1× fires
// nothing (and leaves half the budget); a high ratio on a trickle of traffic fires nothing.
// Sized for a busy CI machine: promtool evaluates every rule of the file at every evaluation step,
// and that is what costs, so the rules are evaluated once per shortest SLI window (5m) rather than
// every minute, over just enough time for the slowest tier's guard and `for` (4h, not 5h).

import type { ExpectedAlert, Scenario, SeriesInput } from "../alerts/types.js";
import { BURN_RATE_TIERS, SLI_WINDOWS } from "../conventions.js";
import { M, num, sel } from "../promql.js";
import { budgetOf, SLO_RECORD, tierSeverity } from "./rules.js";
import type { Sli } from "./sli.js";
import { burnSpec } from "./specs.js";

/** Evaluation interval of the SLO suites: the shortest SLI window. */
export const SLO_TEST_INTERVAL = SLI_WINDOWS[0];
// Samples twice per shortest window, so that a 5m range holds two of them even where ranges
// are left-open (Prometheus 3) — one sample per window would leave rate() empty there.
const SAMPLE_SECONDS = 150;
// 4h: every guard is met within the first hour and the slowest tier's `for` is 3h
const EVAL_MINUTES = 240;
const STEPS = (EVAL_MINUTES * 60) / SAMPLE_SECONDS;
const EVAL = `${EVAL_MINUTES / 60}h`;
const SAMPLE_INTERVAL = `${SAMPLE_SECONDS}s`;

function input(sli: Sli, perMinute: number, badPerMinute: number): SeriesInput[] {
  const l = { model: sli.model.name, model_version: sli.model.version };
  const v = (x: number) => `0+${num((x * SAMPLE_SECONDS) / 60)}x${STEPS}`;
  const good = perMinute - badPerMinute;
  switch (sli.kind) {
    case "availability":
      return [
        { series: sel(M.requests, { ...l, code: "200" }), values: v(good) },
        { series: sel(M.requests, { ...l, code: "500" }), values: v(badPerMinute) },
      ];
    case "latency":
      return [
        { series: sel(`${M.duration}_count`, l), values: v(perMinute) },
        {
          series: sel(`${M.duration}_bucket`, { ...l, le: num(sli.model.slo.latency?.threshold ?? 0) }),
          values: v(good),
        },
      ];
    case "correctness":
      return [
        { series: sel(M.labeled, { ...l, result: "correct" }), values: v(good) },
        { series: sel(M.labeled, { ...l, result: "incorrect" }), values: v(badPerMinute) },
      ];
  }
}

const round3 = (x: number): number => Number(x.toPrecision(3));

export function sloScenarios(sli: Sli): Scenario[] {
  const alertname = burnSpec(sli.kind).name;
  const budget = budgetOf(sli);
  // enough traffic that every guard (min_bad_events) is met within minutes at any firing ratio
  const perMinute = Math.max(1000, Math.ceil(sli.model.slo.minBadEvents / budget));
  const byFactor = [...BURN_RATE_TIERS].sort((a, b) => a.factor - b.factor);
  const labels = { model: sli.model.name, slo: sli.kind };
  const firing = (ratio: number): ExpectedAlert[] =>
    BURN_RATE_TIERS.filter((t) => t.factor * budget < ratio).flatMap((t) => {
      const severity = tierSeverity(sli, t);
      return severity
        ? [{ model: sli.model.name, severity, labels, value: ratio, ruleLabels: { long_window: t.long } }]
        : [];
    });
  const name = `${sli.model.name} ${sli.kind} SLO`;
  const out: Scenario[] = [];
  byFactor.forEach((tier, i) => {
    const low = tier.factor * budget;
    const next = byFactor[i + 1];
    const high = Math.min(next ? next.factor * budget : low * 2, 1);
    const ratio = round3((low + high) / 2);
    if (!(ratio > low && ratio < 1)) return; // this tier cannot fire for so loose an objective
    out.push({
      name: `${name}: error ratio ${num(ratio)} burns ${num(tier.factor)}x and above`,
      input: input(sli, perMinute, perMinute * ratio),
      interval: SAMPLE_INTERVAL,
      evalTime: EVAL,
      expect: [{ alertname, alerts: firing(ratio) }],
    });
  });
  const calm = round3((byFactor[0]?.factor ?? 1) * budget * 0.5);
  const self = { model: sli.model.name, slo: sli.kind };
  out.push({
    name: `${name}: error ratio ${num(calm)} within budget`,
    input: input(sli, perMinute, perMinute * calm),
    interval: SAMPLE_INTERVAL,
    evalTime: EVAL,
    expect: [{ alertname, alerts: [] }],
    exprs: [
      {
        // the period's error ratio from counts, and half the budget left
        expr: `abs(${sel(SLO_RECORD.remaining, self)} - ${num(1 - calm / budget)}) < bool 1e-9`,
        samples: [{ labels: `{model="${sli.model.name}", slo="${sli.kind}"}`, value: 1 }],
      },
    ],
  });
  // a trickle: 1 bad event in 4 over the run (a 25 % error ratio) is fewer than min_bad_events
  out.push({
    name: `${name}: one bad event in four is too few to alert on`,
    input: input(sli, 4 / EVAL_MINUTES, 1 / EVAL_MINUTES),
    interval: SAMPLE_INTERVAL,
    evalTime: EVAL,
    expect: [{ alertname, alerts: [] }],
  });
  return out;
}
