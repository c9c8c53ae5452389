// alerts/alertmanager.yaml: a route tree from alerting.owners (critical → the owner's page
// receiver, warning → its ticket receiver, anything else → default_receiver), grouping by model
// and concern (one incident of a model — its drift, its data quality — is one notification per
// receiver, whatever the number of features or alert names), and inhibition (critical over warning; an agent that is down over the
// alerts computed from that same agent — same instance, and same model when the target names one —
// never over another pod's or another model's).
import { Document } from "yaml";
import type { Config } from "../config/model.js";
import { ALERT_PREFIX, LABEL, UNOWNED } from "./conventions.js";
import { CONCERN_NAMES, type Concern, topSeverity } from "./severity.js";

/** One alert of each concern, for the route cases. */
const CONCERN_ALERT: Record<Concern, string> = {
  input_drift: "FeatureDrift",
  prediction_drift: "PredictionDrift",
  data_quality: "FeatureMissingRateHigh",
  model_quality: "ModelAccuracyLow",
  slo_burn: "AvailabilityErrorBudgetBurn",
  labels: "LabelsNotArriving",
  variants: "VariantWorse",
  shadow: "ShadowAgreementLow",
  agent: "AgentDown",
};

export const GROUP_BY = [LABEL.model, LABEL.concern, LABEL.slo] as const;

/** Alerts that say nothing while the agent feeding them is down. */
const AGENT_DEPENDENT = [
  "FeatureDrift.*",
  "PredictionDrift",
  "Model.*",
  "FeatureMissingRateHigh",
  "FeatureUnseenCategoryRateHigh",
  "Label.*",
].map((s) => `${ALERT_PREFIX}${s}`);

/** The same alert of the same source: a critical mutes its warning, never another pod's. */
const SAME_ALERT = ["alertname", LABEL.model, LABEL.feature, LABEL.slo, LABEL.instance];

export interface RouteCase {
  labels: Record<string, string>;
  receiver: string;
}

export function receiverFor(config: Config, owner: string, severity: string): string {
  const o = config.alerting.owners[owner];
  if (o && severity === "critical") return o.page;
  if (o && severity === "warning") return o.ticket;
  return config.alerting.defaultReceiver;
}

export function alertmanagerConfig(config: Config): Record<string, unknown> {
  const { owners, defaultReceiver } = config.alerting;
  const names = Object.keys(owners).sort();
  const receivers = new Set<string>([defaultReceiver]);
  for (const n of names) {
    const o = owners[n] as { page: string; ticket: string };
    receivers.add(o.page);
    receivers.add(o.ticket);
  }
  const dependent = `alertname=~"${AGENT_DEPENDENT.join("|")}"`;
  return {
    route: {
      receiver: defaultReceiver,
      group_by: [...GROUP_BY],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "12h",
      routes: names.map((n) => {
        const o = owners[n] as { page: string; ticket: string };
        return {
          matchers: [`owner="${n}"`],
          routes: [
            { matchers: ['severity="critical"'], receiver: o.page, repeat_interval: "4h" },
            {
              matchers: ['severity="warning"'],
              receiver: o.ticket,
              group_wait: "5m",
              repeat_interval: "24h",
            },
          ],
        };
      }),
    },
    inhibit_rules: [
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: [...SAME_ALERT],
      },
      {
        source_matchers: ['severity="warning"'],
        target_matchers: ['severity="info"'],
        equal: [...SAME_ALERT],
      },
      // a down target mutes what that target computed: its instance, and its model when the
      // target has a model label; a fleet-wide alert (no instance) and a sibling pod stay loud
      {
        source_matchers: [`alertname="${ALERT_PREFIX}AgentDown"`, `${LABEL.model}!=""`],
        target_matchers: [dependent],
        equal: [LABEL.model, LABEL.instance],
      },
      // a target of no known model (one agent for several models) mutes every model's alerts
      // from that instance, and only from it
      {
        source_matchers: [`alertname="${ALERT_PREFIX}AgentDown"`, `${LABEL.model}=""`],
        target_matchers: [dependent],
        equal: [LABEL.instance],
      },
      // no target of the job at all: every agent of that model is gone
      {
        source_matchers: [`alertname="${ALERT_PREFIX}AgentAbsent"`],
        target_matchers: [dependent],
        equal: [LABEL.model],
      },
    ],
    receivers: [...receivers].sort().map((name) => ({ name })),
  };
}

export function renderAlertmanager(config: Config, header: string): string {
  const doc = new Document(alertmanagerConfig(config));
  doc.commentBefore = [
    ` ${header}`,
    " Receivers are named placeholders: add their pagerduty_configs / slack_configs /",
    " webhook_configs in your Alertmanager deployment (or a templating step) before use.",
  ].join("\n");
  return doc.toString({ lineWidth: 0, indent: 2 });
}

/**
 * amtool route cases: every owner × severity, an alert of no owner, and every concern of each
 * model at the severity its policy gives the concern's top rule (input drift of a model reaches
 * its owner's ticket receiver by default, accuracy its page receiver).
 */
export function routeCases(config: Config): RouteCase[] {
  const cases: RouteCase[] = [];
  for (const m of config.models) {
    const owner = m.owner ?? UNOWNED;
    for (const concern of CONCERN_NAMES) {
      const severity = topSeverity(m, concern);
      cases.push({
        labels: {
          alertname: `${ALERT_PREFIX}${CONCERN_ALERT[concern]}`,
          concern,
          model: m.name,
          owner,
          severity,
        },
        receiver: receiverFor(config, owner, severity),
      });
    }
  }
  const owners = [...Object.keys(config.alerting.owners).sort(), "unowned"];
  for (const owner of owners) {
    const model = config.models.find((m) => (m.owner ?? "unowned") === owner)?.name ?? "example";
    for (const severity of ["critical", "warning", "info"]) {
      cases.push({
        labels: { alertname: `${ALERT_PREFIX}AgentDown`, model, owner, severity },
        receiver: receiverFor(config, owner, severity),
      });
    }
  }
  return cases;
}
