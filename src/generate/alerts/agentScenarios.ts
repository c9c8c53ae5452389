// promtool scenarios of the agent alerts (agent.ts): drops per agent, a pod down with its target's
// labels, an agent of no known model, absence, parse errors with and without a tap, Kafka lag.
import type { ModelConfig } from "../../config/model.js";
import { AGENT_JOB, KAFKA_LAG_WARNING, LABEL, type Severity } from "../conventions.js";
import { M, sel } from "../promql.js";
import { severityFor, topSeverity } from "../severity.js";
import { absent, down, dropped, kafkaLag, parseErrors } from "./agentSpecs.js";
import type { ConcernContext, ExpectedAlert, Scenario } from "./types.js";

export function agentScenarios(models: readonly ModelConfig[], ctx: ConcernContext): Scenario[] {
  const kafka = ctx.kafka;
  // the severities the rules carry under the policy (degraded: drops, parse errors, lag)
  const degraded = (m?: ModelConfig) => severityFor(m ?? ctx.alerting, "agent", "warning");
  const top = (m?: ModelConfig) => topSeverity(m ?? ctx.alerting, "agent");
  /** the expected alert, or none when the policy does not generate the rule */
  const one = (severity: Severity | undefined, e: Omit<ExpectedAlert, "severity">): ExpectedAlert[] =>
    severity ? [{ ...e, severity }] : [];
  const all = (alertname: string, labels: Record<string, string>, value: number) => ({
    alertname,
    alerts: models.map((m) => ({
      model: m.name,
      severity: top(m),
      labels: { ...labels, model: m.name },
      value,
    })),
  });
  const first = models[0] as ModelConfig;
  const requests = (m: ModelConfig, perMinute: number) => ({
    series: sel(M.requests, { model: m.name, model_version: m.version, code: "200" }),
    values: `0+${perMinute}x40`,
  });
  const parse = (m: ModelConfig, perMinute: number) => ({
    series: sel(M.parseErrors, { model: m.name, reason: "invalid_json" }),
    values: `0+${perMinute}x40`,
  });
  const target = { instance: "10.0.0.1:9464", job: AGENT_JOB };
  // a pod per model, each with its model's target label, plus a sibling pod of the first model
  // and an agent whose target has no model label
  const pod = (m: ModelConfig, i: number) => ({
    instance: `10.0.1.${i + 1}:9464`,
    job: AGENT_JOB,
    [LABEL.model]: m.name,
    namespace: "ml",
    pod: `${m.name}-${i}`,
  });
  const sibling = { ...pod(first, models.length), pod: `${first.name}-sibling` };
  const unlabelled = {
    instance: "10.0.2.1:9464",
    job: AGENT_JOB,
    namespace: "monitoring",
    pod: "infermon-0",
  };
  const downAlert = (m: ModelConfig, i: number) => ({
    model: m.name,
    severity: top(m),
    labels: pod(m, i),
    value: 0,
  });
  // an agent's drops (no model label of its own: the target's labels) and the events it analysed
  // (the agent's model label wins over the target's, as with honorLabels); undefined: no events
  const agentSeries = (labels: Record<string, string>, dropsPerMinute: number, eventsPerMinute?: number) => [
    { series: sel(M.dropped, { ...labels, reason: "queue_full" }), values: `0+${dropsPerMinute}x40` },
    ...(eventsPerMinute === undefined
      ? []
      : models.map((o) => ({
          series: sel(M.events, { ...labels, [LABEL.model]: o.name, source: "tap" }),
          values: `0+${eventsPerMinute / models.length}x40`,
        }))),
  ];
  const out: Scenario[] = [
    // one pod of a model drops 10 %, its sibling and the other models' pods drop nothing: one
    // alert, with that pod's target labels, to that model's owner
    ...models.map((m, i) => ({
      name: `events dropped: 10% on one ${m.name} pod`,
      input: [
        ...models.flatMap((o, j) => agentSeries(pod(o, j), o === m ? 10 : 0, 90)),
        ...agentSeries(sibling, 0, 100),
        ...agentSeries(unlabelled, 0, 100),
      ],
      evalTime: "30m",
      expect: [
        {
          alertname: dropped.name,
          alerts: one(degraded(m), { model: m.name, labels: pod(m, i), value: 0.1 }),
        },
      ],
    })),
    {
      name: "events dropped: an agent of no known model drops everything it sees",
      input: [
        ...agentSeries(unlabelled, 10, undefined),
        ...models.flatMap((o, j) => agentSeries(pod(o, j), 0, 90)),
      ],
      evalTime: "30m",
      expect: [
        {
          alertname: dropped.name,
          alerts: one(degraded(), { model: undefined, labels: unlabelled, value: 1 }),
        },
      ],
    },
    {
      name: "events dropped: 0.1%",
      input: [
        ...models.flatMap((o, j) => agentSeries(pod(o, j), 1, 999)),
        ...agentSeries(unlabelled, 1, 999),
      ],
      evalTime: "30m",
      expect: [{ alertname: dropped.name, alerts: [] }],
    },
    ...models.map((m, i) => ({
      name: `${m.name} pod down: one alert with that target's labels`,
      input: [
        ...models.map((o, j) => ({ series: sel(M.up, pod(o, j)), values: o === m ? "0x20" : "1x20" })),
        ...(m === first ? [{ series: sel(M.up, sibling), values: "1x20" }] : []),
        { series: sel(M.up, unlabelled), values: "1x20" },
      ],
      evalTime: "10m",
      expect: [
        { alertname: down.name, alerts: [downAlert(m, i)] },
        { alertname: absent.name, alerts: [] },
      ],
    })),
    {
      name: "agent of no known model down: one alert with the target's labels, no model",
      input: [
        { series: sel(M.up, unlabelled), values: "0x20" },
        {
          series: sel(M.up, { ...unlabelled, instance: "10.0.2.2:9464", [LABEL.model]: "other" }),
          values: "0x20",
        },
        ...models.map((o, j) => ({ series: sel(M.up, pod(o, j)), values: "1x20" })),
      ],
      evalTime: "10m",
      expect: [
        {
          alertname: down.name,
          alerts: [
            { model: undefined, severity: top(), labels: unlabelled, value: 0 },
            {
              model: undefined,
              severity: top(),
              labels: { ...unlabelled, instance: "10.0.2.2:9464", [LABEL.model]: "other" },
              value: 0,
            },
          ],
        },
      ],
    },
    {
      name: "agent up",
      input: [
        { series: sel(M.up, target), values: "1x30" },
        ...models.map((o, j) => ({ series: sel(M.up, pod(o, j)), values: "1x30" })),
      ],
      evalTime: "20m",
      expect: [
        { alertname: down.name, alerts: [] },
        { alertname: absent.name, alerts: [] },
      ],
    },
    {
      name: "agent absent",
      input: [{ series: sel(M.buildInfo, { version: "0.1.0" }), values: "1x30" }],
      evalTime: "20m",
      expect: [all(absent.name, { job: AGENT_JOB }, 1)],
    },
  ];
  // a logger feeding the ingest only: no request counter (or one at 0, the tap serving other
  // models), the parse errors still page, as a share of the events
  for (const [name, requestSeries] of [
    ["no tap", []],
    ["the tap saw no request of it", [{ ...requests(first, 0), values: "0x40" }]],
  ] as const)
    out.push({
      name: `${first.name} parse errors: 5% of the ingest's events, ${name}`,
      input: [
        parse(first, 5),
        ...requestSeries,
        { series: sel(M.events, { model: first.name, source: "cloudevents" }), values: "0+95x40" },
      ],
      evalTime: "30m",
      expect: [
        {
          alertname: parseErrors.name,
          alerts: one(degraded(first), { model: first.name, labels: { model: first.name }, value: 0.05 }),
        },
      ],
    });
  for (const m of models) {
    out.push(
      {
        name: `${m.name} parse errors: 5%`,
        input: [parse(m, 5), requests(m, 100)],
        evalTime: "30m",
        expect: [
          {
            alertname: parseErrors.name,
            alerts: one(degraded(m), { model: m.name, labels: { model: m.name }, value: 0.05 }),
          },
        ],
      },
      {
        name: `${m.name} parse errors: 0.5%`,
        input: [parse(m, 1), requests(m, 200)],
        evalTime: "30m",
        expect: [{ alertname: parseErrors.name, alerts: [] }],
      },
    );
  }
  if (kafka) {
    const lag = (v: number) => ({
      series: sel(M.kafkaLag, { topic: "inference.predictions", partition: "0" }),
      values: `${v}x30`,
    });
    out.push(
      {
        name: "kafka lag high",
        input: [lag(KAFKA_LAG_WARNING * 2)],
        evalTime: "20m",
        expect: [
          {
            alertname: kafkaLag.name,
            alerts: one(degraded(), {
              model: undefined,
              labels: { topic: "inference.predictions" },
              value: KAFKA_LAG_WARNING * 2,
            }),
          },
        ],
      },
      {
        name: "kafka lag low",
        input: [lag(10)],
        evalTime: "20m",
        expect: [{ alertname: kafkaLag.name, alerts: [] }],
      },
    );
  }
  return out;
}
