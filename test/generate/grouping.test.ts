// One incident, one notification (issue #17): a real Prometheus evaluates the generated fleet-drift
// and drift rules on scraped series of a 30-feature model with 10 features shifted (and of a second
// model of the same owner with one feature shifted), sends the alerts to a real Alertmanager
// running the generated config, whose receivers post to a webhook in this test. Each model's drift
// is one group per receiver (severity), notified at most once per group interval, naming the
// top drifted features; neither model's drift mutes the other's.

import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { parseConfig } from "../../src/config/load.js";
import { generate } from "../../src/generate/pipeline.js";
import { writeArtifacts } from "../../src/generate/write.js";
import { alertmanagerBinary, startAlertmanager } from "../helpers/alertmanager.js";
import { requirePrometheus, startPrometheus } from "../helpers/prometheus.js";
import { removeTempDirs, tempDir } from "./helpers.js";

afterAll(removeTempDirs);

const hasPeers = (() => {
  const prom = requirePrometheus();
  if (!alertmanagerBinary() && process.env.CI)
    throw new Error("alertmanager is required in CI but is not installed (.ci/install-peers.sh)");
  return prom && alertmanagerBinary() !== undefined;
})();

const BINS = 10;
const EDGES = Array.from({ length: BINS - 1 }, (_, i) => i + 1);
const feature = (i: number) => `f${String(i).padStart(2, "0")}`;
/** Model `wide`: 30 features, f00–f09 shifted by decreasing amounts; `narrow`: 3 features, n0 shifted. */
const MODELS = {
  wide: { features: Array.from({ length: 30 }, (_, i) => feature(i)), shifted: 10 },
  narrow: { features: ["n0", "n1", "n2"], shifted: 1 },
} as const;
const RATE = 200; // events per second and model
const REFERENCE = 10_000;
const GROUP_INTERVAL_S = 8;

const config = parseConfig(
  stringify({
    service: "grouping",
    models: Object.entries(MODELS).map(([name, m]) => ({
      name,
      version: "1",
      task: "regression",
      features: m.features.map((f) => ({ name: f, type: "numeric", edges: EDGES })),
      windows: ["1m"],
      min_samples: 50,
      drift: { for: "5s" },
      owner: "team",
    })),
    alerting: {
      runbook_base_url: "https://runbooks.example.com",
      owners: { team: { page: "team-page", ticket: "team-ticket" } },
      default_receiver: "sre",
    },
  }),
  "grouping.yaml",
);

/** Current proportions of a feature: uniform, or pushed towards the low bins (more for lower i). */
function proportions(i: number, shifted: boolean): number[] {
  if (!shifted) return Array.from({ length: BINS }, () => 1 / BINS);
  const alpha = 0.9 - i * 0.05;
  const skew = Array.from({ length: BINS }, (_, b) => 2 ** -(b + 1));
  const total = skew.reduce((a, b) => a + b, 0);
  return skew.map((s) => (1 - alpha) / BINS + (alpha * s) / total);
}

/** The agent's series at `seconds` since the start: bin counters, reference gauges, events. */
function exposition(seconds: number): string {
  const lines: string[] = [];
  for (const [model, m] of Object.entries(MODELS)) {
    const events = Math.floor(RATE * seconds);
    lines.push(`infermon_events_total{model="${model}",model_version="1",source="tap"} ${events}`);
    m.features.forEach((f, i) => {
      const base = `model="${model}",model_version="1",feature="${f}"`;
      lines.push(`infermon_feature_reference_observations{${base}} ${REFERENCE}`);
      proportions(i, i < m.shifted).forEach((p, b) => {
        lines.push(`infermon_feature_reference_ratio{${base},bin="b${b}"} ${1 / BINS}`);
        lines.push(`infermon_feature_bin_observations_total{${base},bin="b${b}"} ${Math.floor(events * p)}`);
      });
    });
  }
  return `${lines.join("\n")}\n`;
}

interface Notification {
  receiver: string;
  groupKey: string;
  status: string;
  at: number;
  alerts: { labels: Record<string, string>; annotations: Record<string, string>; status: string }[];
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

describe.skipIf(!hasPeers)("drift grouping in a real Prometheus and Alertmanager", () => {
  it("sends one notification per model and severity per group interval, naming the top features", {
    timeout: 180_000,
  }, async () => {
    const dir = tempDir("grouping");
    writeArtifacts(dir, generate(config, { source: "grouping.yaml" }));
    const started = Date.now();
    const exporter = createServer((_, res) => {
      res.setHeader("content-type", "text/plain; version=0.0.4");
      res.end(exposition((Date.now() - started) / 1000));
    });
    const notifications: Notification[] = [];
    const webhook = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const n = JSON.parse(body) as Omit<Notification, "at">;
        notifications.push({ ...n, at: Date.now() });
        res.end();
      });
    });
    const exporterPort = await listen(exporter);
    const webhookPort = await listen(webhook);
    // the generated Alertmanager config, with webhook receivers and test-sized timings
    const am = parse(readFileSync(join(dir, "alerts/alertmanager.yaml"), "utf8")) as {
      route: Record<string, unknown> & { routes: { routes: Record<string, unknown>[] }[] };
      receivers: { name: string; webhook_configs?: unknown[] }[];
    };
    const timings = { group_wait: "1s", group_interval: `${GROUP_INTERVAL_S}s`, repeat_interval: "1h" };
    Object.assign(am.route, timings);
    for (const owner of am.route.routes) for (const r of owner.routes) Object.assign(r, timings);
    for (const r of am.receivers)
      r.webhook_configs = [{ url: `http://127.0.0.1:${webhookPort}/${r.name}`, send_resolved: false }];
    const amFile = join(dir, "alertmanager.test.yaml");
    writeFileSync(amFile, stringify(am));
    const alertmanager = await startAlertmanager(amFile);
    const prometheus = await startPrometheus({
      targets: [`127.0.0.1:${exporterPort}`],
      ruleFiles: [join(dir, "alerts/fleet-drift.rules.yaml"), join(dir, "alerts/drift.rules.yaml")],
      alertmanagerUrl: alertmanager.url,
    });
    try {
      const drift = (n: Notification) => n.alerts.some((a) => a.labels.alertname === "InfermonFeatureDrift");
      const ticketed = (model: string) =>
        notifications.some(
          (n) => n.receiver === "team-ticket" && n.alerts.some((a) => a.labels.model === model),
        );
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline && !(ticketed("wide") && ticketed("narrow")))
        await new Promise((r) => setTimeout(r, 500));
      expect(ticketed("wide") && ticketed("narrow"), JSON.stringify(notifications, null, 1)).toBe(true);
      // keep watching for three more group intervals: the groups must not be re-sent within one
      const watchFrom = Date.now();
      await new Promise((r) => setTimeout(r, 3 * GROUP_INTERVAL_S * 1000));
      const all = notifications.filter(drift);
      // one group per model and receiver (input drift tickets: critical level → ticket, warning → info)
      const groups = new Map<string, Notification[]>();
      for (const n of all)
        groups.set(`${n.receiver} ${n.groupKey}`, [...(groups.get(`${n.receiver} ${n.groupKey}`) ?? []), n]);
      const keys = [...groups.keys()].sort();
      expect(keys.filter((k) => k.startsWith("team-ticket ")).length).toBe(2);
      // the warning level (info, to the default receiver) is muted by its own model's ticket
      expect(keys.filter((k) => k.startsWith("sre ")).length).toBeLessThanOrEqual(2);
      expect(keys.filter((k) => k.startsWith("team-page ")).length).toBe(0);
      for (const [key, list] of groups) {
        // at most one notification per group interval (Alertmanager re-sends only on changes)
        for (let i = 1; i < list.length; i++)
          expect((list[i] as Notification).at - (list[i - 1] as Notification).at, key).toBeGreaterThan(
            (GROUP_INTERVAL_S - 1) * 1000,
          );
        expect(list.filter((n) => n.at >= watchFrom).length, key).toBeLessThanOrEqual(4);
        // one alert per model and level, never one per feature or statistic
        for (const n of list) {
          const firing = n.alerts.filter((a) => a.status === "firing");
          expect(new Set(firing.map((a) => a.labels.model)).size, key).toBe(1);
          expect(firing.length, key).toBe(1);
        }
      }
      // the wide model's ticket names its five most drifted features, most drifted first
      const wide = all.find((n) => n.receiver === "team-ticket" && n.alerts[0]?.labels.model === "wide");
      const description = wide?.alerts[0]?.annotations.description ?? "";
      expect(description).toMatch(/^Model wide \(version 1\): 10 of its features drifted over the last 1m/);
      const named = [...description.matchAll(/ (f\d\d) [\d.]+ \(level [\d.]+\)/g)].map((m) => m[1]);
      expect(named).toEqual(["f00", "f01", "f02", "f03", "f04"]);
      // nothing mutes the other model's drift
      const held = await alertmanager.alerts();
      const driftAlerts = held.filter((a) => a.labels.alertname === "InfermonFeatureDrift");
      expect(new Set(driftAlerts.map((a) => a.labels.model))).toEqual(new Set(["wide", "narrow"]));
      for (const a of driftAlerts.filter((x) => x.labels.severity === "warning"))
        expect(a.status.inhibitedBy, a.labels.model).toEqual([]);
    } finally {
      await prometheus.stop();
      await alertmanager.stop();
      exporter.close();
      webhook.close();
    }
  });
});
