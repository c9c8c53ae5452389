// Overview: traffic, errors and latency per model; SLO status and error budget remaining.
import { ALERT_PREFIX } from "../conventions.js";
import type { LinkBase } from "../links.js";
import { M, ratioOrZero, sel } from "../promql.js";
import { SLO_RECORD } from "../slo/rules.js";
import { type DashboardParts, q, RATE, stat, tempoVariable, timeseries } from "./common.js";
import { slowTraces, tracesLink } from "./traces.js";

const slo = (record: string) => sel(record, { model: { re: "$model" } });

export function overview(links: LinkBase): DashboardParts {
  const req = q(M.requests);
  return {
    key: "overview",
    extraVariables: [tempoVariable()],
    description: "Traffic, errors, latency and SLO status of every monitored model.",
    panels: [
      stat(
        {
          title: "Error budget remaining",
          description:
            "Share of the SLO period's error budget left, per model and SLO (1 = untouched, ≤ 0 = spent).",
          unit: "percentunit",
          targets: [{ expr: slo(SLO_RECORD.remaining), legend: "{{model}} {{slo}}", instant: true }],
          span: 12,
          height: 6,
        },
        links,
      ),
      timeseries(
        {
          title: "SLO burn rate (1h)",
          description:
            "Error ratio over the last hour divided by the error budget: 1 spends the budget exactly over the period; 14.4 pages.",
          unit: "none",
          targets: [
            {
              expr: `${slo(SLO_RECORD.errorRatio("1h"))}\n/ on (model, slo)\n${slo(SLO_RECORD.errorBudget)}`,
              legend: "{{model}} {{slo}}",
            },
          ],
          span: 12,
          height: 6,
          runbook: `${ALERT_PREFIX}AvailabilityErrorBudgetBurn`,
        },
        links,
      ),
      timeseries(
        {
          title: "Requests",
          description: "Inference requests per second seen by the tap or ingest, per model and status code.",
          unit: "reqps",
          targets: [{ expr: `sum by (model, code) (rate(${req}[${RATE}]))`, legend: "{{model}} {{code}}" }],
          span: 8,
          stack: true,
        },
        links,
      ),
      timeseries(
        {
          title: "Error ratio (5xx)",
          description: "Share of requests answered with a 5xx status, per model (the availability SLI).",
          unit: "percentunit",
          targets: [
            {
              // no 5xx series yet is a ratio of 0, not "No data"
              expr: ratioOrZero(
                `sum by (model) (rate(${q(M.requests, { extra: { code: { re: "5.." } } })}[${RATE}]))`,
                `sum by (model) (rate(${req}[${RATE}]))`,
              ),
              legend: "{{model}}",
            },
          ],
          span: 8,
          min: 0,
        },
        links,
      ),
      timeseries(
        {
          title: "Latency",
          description:
            "Upstream latency quantiles per model from the tap's histogram. The dots are exemplars: sampled requests with their trace_id, which open the trace in Tempo (the Prometheus datasource's exemplar trace-id destination, docs/tracing.md); 'Traces in Tempo' lists the models' spans.",
          unit: "s",
          targets: [0.5, 0.9, 0.99].map((quantile) => ({
            expr: `histogram_quantile(${quantile}, sum by (model, le) (rate(${q(`${M.duration}_bucket`)}[${RATE}])))`,
            legend: `{{model}} p${quantile * 100}`,
            exemplar: true,
          })),
          span: 8,
          runbook: `${ALERT_PREFIX}LatencyErrorBudgetBurn`,
          panelLinks: [tracesLink(links)],
        },
        links,
      ),
      timeseries(
        {
          title: "SLI error ratio (1h) per SLO",
          description:
            "Error ratio of each SLI over the last hour, next to its objective's allowed error ratio.",
          unit: "percentunit",
          targets: [
            { expr: slo(SLO_RECORD.errorRatio("1h")), legend: "{{model}} {{slo}}" },
            { expr: slo(SLO_RECORD.errorBudget), legend: "{{model}} {{slo}} budget" },
          ],
          span: 12,
        },
        links,
      ),
      timeseries(
        {
          title: "Events analysed",
          description: "Inference events analysed by the agent per second, per model and source.",
          unit: "ops",
          targets: [
            {
              expr: `sum by (model, source) (rate(${q(M.events, { version: false })}[${RATE}]))`,
              legend: "{{model}} {{source}}",
            },
          ],
          span: 12,
        },
        links,
      ),
      slowTraces(),
    ],
  };
}
