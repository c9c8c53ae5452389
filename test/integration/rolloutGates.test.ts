// Canary gates on a real Prometheus: two agents (a stable pod and a canary pod of the same model,
// told apart by their pod names as a PodMonitor labels them) scraped every second, the generated
// gate recording rules evaluated every second, and every generated Argo Rollouts and Flagger
// query run as the controller would run it (the template's arguments filled in), its result judged
// by the template's own conditions. The canary answers 5xx and predicts differently; nobody sends
// labels (the accuracy gate has no data: inconclusive, never a pass).
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { generate } from "../../src/generate/pipeline.js";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { send } from "../helpers/http.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";
import { requireTool } from "../helpers/peers.js";
import { type RunningPrometheus, startPrometheus } from "../helpers/prometheus.js";
import { startShadowServer } from "../helpers/shadowServerProcess.js";

/** The samples of an instant query as numbers. */
const values = async (prom: RunningPrometheus, expr: string) =>
  (await prom.query(expr)).map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));

const STABLE_POD = "credit-primary-6b5c4d9f-xyzab";
const CANARY_HASH = "7d9f8c6b";
const CANARY_POD = `credit-${CANARY_HASH}-abcde`;
const hasPrometheus = requireTool("prometheus");

interface ArgoMetric {
  name: string;
  successCondition: string;
  failureCondition: string;
  provider: { prometheus: { query: string; address: string } };
}
interface FlaggerTemplate {
  metadata: { name: string };
  spec: { query: string };
}

let primary: ModelServer;
let candidate: ChildProcess;
let candidateUrl = "";
let stable: Agent;
let canary: Agent;
let stableAddr: Addresses;
let canaryAddr: Addresses;
let prom: RunningPrometheus;
let argo: ArgoMetric[] = [];
let flagger: FlaggerTemplate[] = [];
let canaryRecord: Record<string, Record<string, unknown>> = {};
const dir = mkdtempSync(join(tmpdir(), "infermon-gates-"));

/** Argo Rollouts' conditions are expr-lang; these use only `!`, `&&`, comparisons, isNaN(result[0]). */
function condition(expr: string, result: number[]): boolean {
  return new Function("result", "isNaN", `return ${expr};`)(result, Number.isNaN) as boolean;
}

/** What Argo Rollouts makes of one measurement (utils/evaluate: neither condition → Inconclusive). */
function argoPhase(m: ArgoMetric, result: number[]): "Successful" | "Failed" | "Inconclusive" {
  if (condition(m.failureCondition, result)) return "Failed";
  return condition(m.successCondition, result) ? "Successful" : "Inconclusive";
}

async function argoMeasure(m: ArgoMetric, hash: string): Promise<number[]> {
  const q = m.provider.prometheus.query
    .replaceAll("{{args.namespace}}", "ml")
    .replaceAll("{{args.canary-hash}}", hash);
  return (await values(prom, q)).map((s) => s.value);
}

const predict = async (addr: Addresses, seed: number) =>
  send(`http://127.0.0.1:${addr.tap?.port}/v2/models/credit/infer`, {
    headers: { "content-type": "application/json" },
    body: oipRequest([creditRow(rng(seed))]),
  });

// fixed JS levels: the feature-drift gate needs them at generate time (sample-size levels are per pod)
const ROLLOUT =
  "    slo: {availability: {objective: 99}}\n    quality: {accuracy: {warning: 0.9, critical: 0.8}}\n    drift: {thresholds: {js: {warning: 0.2, critical: 0.4}}}\n";

beforeAll(async () => {
  if (!hasPrometheus) return;
  primary = await startModelServer();
  const c = await startShadowServer();
  candidate = c.proc;
  candidateUrl = c.url;
  await send(`${candidateUrl}/control`, { body: JSON.stringify({ shift: 1.5 }) });
  // the stable pod's agent replays to the candidate (the shadow gate); the canary pod's taps it
  const gates = `    rollout: {window: 1m, min_samples: 20}\n`;
  const s = writeFixture({
    upstream: primary.url,
    minSamples: 10,
    creditExtra: `${ROLLOUT}${gates}    shadow: {upstream: "${candidateUrl}", sample: 1, timeout: 2s}\n`,
  });
  const k = writeFixture({ upstream: candidateUrl, minSamples: 10, creditExtra: `${ROLLOUT}${gates}` });
  stable = new Agent(s.config, { processMetrics: false });
  canary = new Agent(k.config, { processMetrics: false });
  stableAddr = await stable.start();
  canaryAddr = await canary.start();
  const files = generate(
    { ...s.config, alerting: { ...s.config.alerting, runbookBaseUrl: "https://x/runbooks" } },
    {
      source: "infermon.yaml",
    },
  );
  const rules = join(dir, "rollout-gates.rules.yaml");
  writeFileSync(rules, files.get("alerts/rollout-gates.rules.yaml") as string);
  argo = (
    parse(files.get("deploy/rollouts/argo/credit.analysistemplate.yaml") as string) as {
      spec: { metrics: ArgoMetric[] };
    }
  ).spec.metrics;
  flagger = parseAllDocuments(files.get("deploy/rollouts/flagger/credit.metrictemplates.yaml") as string).map(
    (d) => d.toJS() as FlaggerTemplate,
  );
  prom = await startPrometheus({
    targets: [
      { address: `127.0.0.1:${stableAddr.metrics.port}`, labels: { namespace: "ml", pod: STABLE_POD } },
      { address: `127.0.0.1:${canaryAddr.metrics.port}`, labels: { namespace: "ml", pod: CANARY_POD } },
    ],
    ruleFiles: [rules],
  });
  // stable: 60 good answers (each replayed to the shadow); canary: 40 good, then 10 answered 500
  for (let i = 0; i < 60; i++) expect((await predict(stableAddr, 100 + i)).status).toBe(200);
  await stable.shadow?.idle();
  for (let i = 0; i < 40; i++) expect((await predict(canaryAddr, 500 + i)).status).toBe(200);
  await send(`${candidateUrl}/control`, { body: JSON.stringify({ status: 500 }) });
  for (let i = 0; i < 10; i++) expect((await predict(canaryAddr, 900 + i)).status).toBe(500);
  await Promise.all([stable.idle(), canary.idle()]);
  // the canary's burn rate appears once Prometheus has scraped twice and evaluated the rules
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await prom.query(
      `replicaset_gate:infermon_gate_value:window{gate="availability_burn",replicaset="credit-${CANARY_HASH}"}`,
    );
    const d = await prom.query(`replicaset_gate:infermon_gate_value:window{gate="prediction_distance"}`);
    if (v.length > 0 && d.length > 0) break;
    if (Date.now() > deadline)
      throw new Error(
        `no gate values recorded in 60 s: ${JSON.stringify(await prom.query("replicaset_gate:infermon_gate_samples:window"))}`,
      );
    await new Promise((r) => setTimeout(r, 1000));
  }
  // stop the traffic's clock: what the agents exported is what Prometheus holds
  canaryRecord = {};
  for (const m of argo) canaryRecord[m.name] = { values: await argoMeasure(m, CANARY_HASH) };
}, 180_000);

afterAll(async () => {
  await prom?.stop();
  await stable?.stop(200);
  await canary?.stop(200);
  await primary?.close();
  if (candidate && candidate.exitCode === null) candidate.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasPrometheus)("canary gates on a real Prometheus", () => {
  it("runs every Argo Rollouts metric: the canary fails on its burn rate and predictions, its accuracy is inconclusive", async () => {
    expect(argo.map((m) => m.name).sort()).toEqual(
      [
        "accuracy",
        "availability-burn",
        "feature-drift",
        "prediction-distance",
        "prediction-drift",
        "shadow-agreement",
      ].sort(),
    );
    const phase = (name: string) => {
      const m = argo.find((x) => x.name === name) as ArgoMetric;
      return argoPhase(m, (canaryRecord[name] as { values: number[] }).values);
    };
    const value = (name: string) => (canaryRecord[name] as { values: number[] }).values[0] as number;
    // 10 of 50 requests answered 500 against a 1 % budget: a burn rate of about 20
    expect(value("availability-burn")).toBeGreaterThan(6);
    expect(phase("availability-burn")).toBe("Failed");
    // the candidate's logits are shifted by 1.5: its predictions are far from the reference
    expect(phase("prediction-drift")).toBe("Failed");
    // nobody sent labels: no accuracy at all — NaN, neither success nor failure
    expect(Number.isNaN(value("accuracy"))).toBe(true);
    expect(phase("accuracy")).toBe("Inconclusive");
    // every metric comes back as exactly one number for Argo's result[0]
    for (const m of argo)
      expect((canaryRecord[m.name] as { values: number[] }).values, m.name).toHaveLength(1);
  });

  it("measures what the agents exported", async () => {
    const scrape = async (a: Addresses) =>
      parseMetrics((await send(`http://127.0.0.1:${a.metrics.port}/metrics`)).body.toString());
    const c = await scrape(canaryAddr);
    const s = await scrape(stableAddr);
    const value = (name: string) => (canaryRecord[name] as { values: number[] }).values[0] as number;
    // the canary pod's prediction JS (the default statistic) in the model's 5m window, as a share of
    // the critical level the agent exported for that pod at its count
    expect(value("prediction-drift")).toBeCloseTo(
      (metricValue(c, "infermon_prediction_js_distance", { model: "credit", window: "5m" }) as number) /
        (metricValue(c, "infermon_prediction_drift_level", {
          model: "credit",
          window: "5m",
          level: "critical",
        }) as number),
      9,
    );
    // the shadow's agreement (model-wide, read by the stable pod's agent)
    const agree = metricValue(s, "infermon_shadow_comparisons_total", {
      model: "credit",
      result: "agree",
    }) as number;
    const disagree = metricValue(s, "infermon_shadow_comparisons_total", {
      model: "credit",
      result: "disagree",
    }) as number;
    expect(agree + disagree).toBe(60);
    expect(value("shadow-agreement")).toBeCloseTo(agree / (agree + disagree), 2);
    // class shares of the canary against the rest (the stable pod), as the agents counted them
    const share = (m: typeof c, cls: string) =>
      (metricValue(m, "infermon_predictions_total", { model: "credit", class: cls }) ?? 0) /
      ((metricValue(m, "infermon_predictions_total", { model: "credit", class: "0" }) ?? 0) +
        (metricValue(m, "infermon_predictions_total", { model: "credit", class: "1" }) ?? 0));
    const p = ["0", "1"].map((k) => share(c, k));
    const q = ["0", "1"].map((k) => share(s, k));
    const js = Math.sqrt(
      0.5 *
        p.reduce((acc, pi, i) => {
          const qi = q[i] as number;
          const mi = (pi + qi) / 2;
          return acc + (pi > 0 ? pi * Math.log2(pi / mi) : 0) + (qi > 0 ? qi * Math.log2(qi / mi) : 0);
        }, 0),
    );
    expect(value("prediction-distance")).toBeCloseTo(js, 2);
  });

  it("lets the stable ReplicaSet pass the same burn-rate gate", async () => {
    const m = argo.find((x) => x.name === "availability-burn") as ArgoMetric;
    const result = await argoMeasure(m, "6b5c4d9f");
    expect(result).toEqual([0]);
    expect(argoPhase(m, result)).toBe("Successful");
  });

  it("runs every Flagger MetricTemplate query for the canary Deployment (never its -primary)", async () => {
    const measured: Record<string, number[]> = {};
    for (const t of flagger) {
      const q = t.spec.query.replaceAll("{{ namespace }}", "ml").replaceAll("{{ target }}", "credit");
      measured[t.metadata.name] = (await values(prom, q)).map((x) => x.value);
    }
    expect(Object.keys(measured).sort()).toEqual(
      [
        "accuracy",
        "availability-burn",
        "feature-drift",
        "prediction-distance",
        "prediction-drift",
        "shadow-agreement",
      ]
        .map((g) => `infermon-credit-${g}`)
        .sort(),
    );
    // the canary's value, not the primary's 0; no value at all where no labels came (Flagger: "no
    // values found", the step halts and counts a failed check)
    expect(measured["infermon-credit-availability-burn"]?.[0]).toBeCloseTo(
      (canaryRecord["availability-burn"] as { values: number[] }).values[0] as number,
      6,
    );
    expect(measured["infermon-credit-accuracy"]).toEqual([]);
  });

  it("exports every gate's threshold as a series equal to the templates'", async () => {
    const thresholds = await values(prom, `model_gate:infermon_gate_threshold:config{model="credit"}`);
    for (const m of argo) {
      const gate = m.name.replaceAll("-", "_");
      const t = thresholds.find((x) => x.metric.gate === gate);
      expect(t, gate).toBeDefined();
      expect(m.successCondition).toContain(String(t?.value));
    }
  });
});
