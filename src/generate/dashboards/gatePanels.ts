// The Rollouts dashboard's canary-gate panels: each gate's recorded value per ReplicaSet next to
// its threshold, and the samples behind it, so a dashboard shows why a rollout went on, paused or
// rolled back (alerts/rollout-gates.rules.yaml records them; deploy/rollouts/ reads them).
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import type { Panel } from "@grafana/grafana-foundation-sdk/dashboard";
import type { LinkBase } from "../links.js";
import { sel } from "../promql.js";
import { GATE_RECORD } from "../rollouts/gates.js";
import { q, table, timeseries } from "./common.js";

const NO_VERSION = { version: false } as const;

export function gatePanels(links: LinkBase): cog.Builder<Panel>[] {
  const value = q(GATE_RECORD.value, NO_VERSION);
  // thresholds come from the configuration: one series per model and gate, no namespace
  const threshold = sel(GATE_RECORD.threshold, { model: { re: "$model" } });
  return [
    timeseries(
      {
        title: "Gates: value per ReplicaSet and threshold",
        description:
          "Each canary gate's value over rollout.window per ReplicaSet (the canary's and the stable's pods) and its threshold: an upper bound fails above it (burn rates, drift, distance), a lower bound below it (agreement, accuracy). No value: fewer than rollout.min_samples events (inconclusive).",
        unit: "short",
        targets: [
          {
            expr: `max by (model, gate, replicaset) (${value})`,
            legend: "{{model}} {{gate}} {{replicaset}}",
          },
          {
            expr: `max by (model, gate, bound) (${threshold})`,
            legend: "{{model}} {{gate}} threshold ({{bound}})",
          },
        ],
        span: 24,
        height: 10,
      },
      links,
    ),
    table(
      {
        title: "Gates now",
        description:
          "The latest value of every gate per ReplicaSet, and the events behind it (samples) in rollout.window.",
        unit: "short",
        targets: [
          { expr: `max by (model, gate, replicaset) (${value})`, legend: "value", instant: true },
          {
            expr: `max by (model, gate, replicaset) (${q(GATE_RECORD.samples, NO_VERSION)})`,
            legend: "samples",
            instant: true,
          },
        ],
        span: 24,
      },
      links,
    ),
  ];
}
