// Alerts mute only what they should (issue #8 §6). promtool evaluates the generated
// InfermonAgentDown over real `up` series — one house-price pod down, its healthy sibling, a credit
// pod, and an agent whose target names no model — and must see one alert per down target carrying
// that target's labels. A real Alertmanager, running the generated config and fed those alerts
// with pages from other pods and models, must mute only the down target's own alerts.
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadConfig } from "../../src/config/load.js";
import { generate } from "../../src/generate/pipeline.js";
import type { AlertingRule, RuleGroup } from "../../src/generate/rules.js";
import { expandTemplate } from "../../src/generate/template.js";
import { writeArtifacts } from "../../src/generate/write.js";
import { alertmanagerBinary, startAlertmanager } from "../helpers/alertmanager.js";
import { requireTool } from "../helpers/peers.js";
import { EXAMPLE, ROOT, removeTempDirs, tempDir } from "./helpers.js";

afterAll(removeTempDirs);

const hasPromtool = requireTool("promtool");
const hasAlertmanager = (() => {
  if (alertmanagerBinary()) return true;
  if (process.env.CI)
    throw new Error("alertmanager is required in CI but is not installed (.ci/install-peers.sh)");
  return false;
})();

const dir = tempDir("inhibition");
writeArtifacts(dir, generate(loadConfig(join(ROOT, EXAMPLE)), { source: EXAMPLE }));

const job = "infermon";
/** Scrape targets as a PodMonitor with a `model` relabelling would label them. */
const target = {
  housePriceDown: {
    instance: "10.0.1.1:9464",
    job,
    model: "house-price",
    namespace: "ml",
    pod: "house-price-0",
  },
  housePriceSibling: {
    instance: "10.0.1.2:9464",
    job,
    model: "house-price",
    namespace: "ml",
    pod: "house-price-1",
  },
  credit: { instance: "10.0.1.3:9464", job, model: "credit", namespace: "ml", pod: "credit-0" },
  creditSibling: { instance: "10.0.1.4:9464", job, model: "credit", namespace: "ml", pod: "credit-1" },
  // one agent for several models: its target has no model label
  shared: { instance: "10.0.2.1:9464", job, namespace: "monitoring", pod: "infermon-0" },
};
const down = new Set<keyof typeof target>(["housePriceDown", "shared"]);

const series = (labels: Record<string, string>) =>
  `up{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;

const downRules = (
  parse(readFileSync(join(dir, "alerts/agent.rules.yaml"), "utf8")) as { groups: RuleGroup[] }
).groups
  .flatMap((g) => g.rules)
  .filter((r): r is AlertingRule => "alert" in r && r.alert === "InfermonAgentDown");

const owners: Record<string, string> = { credit: "ml-credit", "house-price": "ml-pricing" };
const ownerOf = (labels: Record<string, string>) => (labels.model && owners[labels.model]) || "unowned";

/** The labels InfermonAgentDown must fire with for a down target: its own, and its model's owner. */
const downLabels = (labels: Record<string, string>): Record<string, string> => ({
  ...labels,
  concern: "agent",
  owner: ownerOf(labels),
  severity: "critical",
});

/** The promtool expectation for a down target (annotations from the generated rule). */
function expectedDown(labels: Record<string, string>): Record<string, unknown> {
  const rule = downRules.find((r) => r.labels.model === labels.model);
  if (!rule) throw new Error(`no InfermonAgentDown rule for model ${labels.model ?? "(none)"}`);
  return {
    exp_labels: downLabels(labels),
    exp_annotations: Object.fromEntries(
      Object.entries(rule.annotations).map(([k, v]) => [k, expandTemplate(v, labels, 0)]),
    ),
  };
}

function run(cmd: string, args: string[], cwd: string): Promise<{ status: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, encoding: "utf8" }, (err, stdout, stderr) => {
      resolve({
        status: err ? (typeof err.code === "number" ? err.code : -1) : 0,
        out: `${stdout}${stderr}`,
      });
    });
  });
}

describe.skipIf(!hasPromtool)("InfermonAgentDown in promtool", () => {
  it("fires once per down target, with that target's labels and a model only when it has one", async () => {
    const file = join(dir, "alerts/tests/agent-down-targets.test.yaml");
    writeFileSync(
      file,
      stringify({
        rule_files: ["../agent.rules.yaml"],
        evaluation_interval: "1m",
        tests: [
          {
            interval: "1m",
            input_series: Object.entries(target).map(([k, labels]) => ({
              series: series(labels),
              values: down.has(k as keyof typeof target) ? "0x20" : "1x20",
            })),
            alert_rule_test: [
              {
                eval_time: "10m",
                alertname: "InfermonAgentDown",
                exp_alerts: [expectedDown(target.housePriceDown), expectedDown(target.shared)],
              },
            ],
          },
        ],
      }),
    );
    const r = await run("promtool", ["test", "rules", file], dir);
    expect(r.status, r.out).toBe(0);
  });
});

describe.skipIf(!hasAlertmanager)("inhibition in a real Alertmanager", () => {
  it("a down pod mutes only its own alerts: never another model's page, nor a healthy sibling's", {
    timeout: 60_000,
  }, async () => {
    const am = await startAlertmanager(join(dir, "alerts/alertmanager.yaml"));
    try {
      const page = (name: string, t: Record<string, string>, extra: Record<string, string> = {}) => ({
        alertname: name,
        ...t,
        owner: ownerOf(t),
        severity: "critical",
        ...extra,
      });
      const drift = (t: Record<string, string>, severity = "critical") =>
        page("InfermonFeatureDrift", t, { level: "critical", severity, statistic: "js", window: "1h" });
      // test_case names each alert; no rule compares it
      const cases: Record<string, { labels: Record<string, string>; muted: boolean }> = {
        "house-price drift from the down pod": { labels: drift(target.housePriceDown), muted: true },
        "house-price error from its healthy sibling": {
          labels: page("InfermonModelErrorHigh", target.housePriceSibling, { window: "6h" }),
          muted: false,
        },
        "credit drift from a credit pod": { labels: drift(target.credit), muted: false },
        "credit accuracy from a credit pod": {
          labels: page("InfermonModelAccuracyLow", target.credit, { window: "1h" }),
          muted: false,
        },
        "credit accuracy from the shared agent that is down": {
          labels: page("InfermonModelAccuracyLow", { ...target.shared, model: "credit" }, { window: "1h" }),
          muted: true,
        },
        "house-price missing values over the fleet": {
          labels: page("InfermonFeatureMissingRateHigh", { model: "house-price" }, { feature: "sqft" }),
          muted: false,
        },
        "credit drift warning from the pod that pages the same drift": {
          labels: drift(target.credit, "warning"),
          muted: true,
        },
        "credit drift warning from a sibling pod": {
          labels: drift(target.creditSibling, "warning"),
          muted: false,
        },
      };
      const sources = [target.housePriceDown, target.shared].map((t) => ({
        alertname: "InfermonAgentDown",
        ...downLabels(t),
        test_case: `down ${t.pod}`,
      }));
      await am.post([
        ...sources,
        ...Object.entries(cases).map(([name, c]) => ({ ...c.labels, test_case: name })),
      ]);
      const muted = async () =>
        Object.fromEntries(
          (await am.alerts())
            .filter((a) => a.labels.test_case && a.labels.test_case in cases)
            .map((a) => [a.labels.test_case, a.status.inhibitedBy.length > 0]),
        );
      const want = Object.fromEntries(Object.entries(cases).map(([name, c]) => [name, c.muted]));
      // the inhibitor learns sources asynchronously: wait until every alert that should be muted
      // is, then once more, so an alert muted by mistake has had its chance to show
      const deadline = Date.now() + 20_000;
      let got = await muted();
      while (Date.now() < deadline && !Object.entries(want).every(([k, m]) => !m || got[k] === true)) {
        await new Promise((r) => setTimeout(r, 200));
        got = await muted();
      }
      await new Promise((r) => setTimeout(r, 500));
      expect(await muted()).toEqual(want);
    } finally {
      await am.stop();
    }
  });
});

// Drops are counted per agent (infermon_events_dropped_total{reason} has no model label of its
// own): the alert must name the agent that drops — its target labels, and the model and owner
// only when that target has a model label — never every configured model at once.
describe.skipIf(!hasPromtool)("InfermonEventsDropped in promtool", () => {
  const droppedRules = (
    parse(readFileSync(join(dir, "alerts/agent.rules.yaml"), "utf8")) as { groups: RuleGroup[] }
  ).groups
    .flatMap((g) => g.rules)
    .filter((r): r is AlertingRule => "alert" in r && r.alert === "InfermonEventsDropped");

  const sample = (name: string, labels: Record<string, string>) =>
    `${name}{${Object.entries(labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(",")}}`;

  function expectedDrop(labels: Record<string, string>, value: number): Record<string, unknown> {
    const rule = droppedRules.find((r) => r.labels.model === labels.model);
    if (!rule) throw new Error(`no InfermonEventsDropped rule for model ${labels.model ?? "(none)"}`);
    return {
      exp_labels: { ...labels, concern: "agent", owner: ownerOf(labels), severity: "warning" },
      exp_annotations: Object.fromEntries(
        Object.entries(rule.annotations).map(([k, v]) => [k, expandTemplate(v, labels, value)]),
      ),
    };
  }

  it("fires once per dropping agent, with that target's labels, its model's owner only", async () => {
    // the house-price pod and the shared agent drop a fifth of their copies, the others none;
    // the shared agent's events name both models (the agent's own model label)
    const drops: Partial<Record<keyof typeof target, number>> = { housePriceDown: 20, shared: 20 };
    const input = Object.entries(target).flatMap(([k, labels]) => [
      {
        series: sample("infermon_events_dropped_total", { ...labels, reason: "queue_full" }),
        values: `0+${drops[k as keyof typeof target] ?? 0}x40`,
      },
      ...["credit", "house-price"].map((model) => ({
        series: sample("infermon_events_total", { ...labels, model, source: "tap" }),
        values: "0+40x40",
      })),
    ]);
    const file = join(dir, "alerts/tests/events-dropped-agents.test.yaml");
    writeFileSync(
      file,
      stringify({
        rule_files: ["../agent.rules.yaml"],
        evaluation_interval: "1m",
        tests: [
          {
            interval: "1m",
            input_series: input,
            alert_rule_test: [
              {
                eval_time: "30m",
                alertname: "InfermonEventsDropped",
                exp_alerts: [expectedDrop(target.housePriceDown, 0.2), expectedDrop(target.shared, 0.2)],
              },
            ],
          },
        ],
      }),
    );
    const r = await run("promtool", ["test", "rules", file], dir);
    expect(r.status, r.out).toBe(0);
  });
});
