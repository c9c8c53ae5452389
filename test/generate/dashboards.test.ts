// Dashboard conventions: stable uids, datasource and model variables, unit and description on
// every panel, $__rate_interval, links between dashboards and to runbooks, Tempo exemplars.
import { describe, expect, it } from "vitest";
import { AgentMetrics } from "../../src/export/metrics.js";
import { DASHBOARDS } from "../../src/generate/conventions.js";
import { generate } from "../../src/generate/pipeline.js";
import { configFrom, exampleData } from "./helpers.js";

interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: {
    expr: string;
    exemplar?: boolean;
    instant?: boolean;
    format?: string;
    datasource?: { uid?: string };
  }[];
  links?: { url: string }[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  links: { title: string; url: string }[];
  templating: { list: { name: string; type: string; query?: unknown }[] };
}

const files = generate(configFrom(exampleData()), { source: "examples/infermon.yaml" });
const dashboards = [...files]
  .filter(([p]) => p.startsWith("dashboards/") && p.endsWith(".json"))
  .map(([p, c]) => [p, JSON.parse(c) as Dashboard] as const);

describe("dashboards", () => {
  it("show every metric the agent exports", () => {
    const exported = new AgentMetrics({ version: "0.0.0", processMetrics: false }).registry
      .getMetricsAsArray()
      .map((m) => m.name);
    const exprs = dashboards.flatMap(([, d]) =>
      d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? "")),
    );
    // read only by the fleet recording rules: fleet drift (smoothing the reference as the agent
    // does) and fleet ROC AUC (the negatives below each bin; the dashboard shows the AUC itself)
    const rulesOnly = new Set([
      "infermon_feature_reference_observations",
      "infermon_labeled_score_negatives_below_total",
    ]);
    const missing = exported.filter((n) => !rulesOnly.has(n) && !exprs.some((e) => e.includes(n)));
    expect(missing).toEqual([]);
  });

  it("show the agent-wide counters per agent (instance), as their alerts fire", () => {
    const [, agent] = dashboards.find(([p]) => p === "dashboards/agent.json") as (typeof dashboards)[number];
    for (const metric of [
      "infermon_events_dropped_total",
      "infermon_events_ignored_total",
      "infermon_pairing_conflicts_total",
    ]) {
      const exprs = agent.panels
        .flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ""))
        .filter((e) => e.includes(metric));
      expect(exprs.length, metric).toBeGreaterThan(0);
      for (const e of exprs) expect(e, metric).toMatch(/by \([^)]*\binstance\b/);
    }
  });

  it("one per concern, with the conventional stable uids", () => {
    expect(dashboards.map(([p]) => p).sort()).toEqual(
      ["agent", "drift", "overview", "predictions", "quality", "rollouts"].map((k) => `dashboards/${k}.json`),
    );
    for (const [path, d] of dashboards) {
      const key = path.replace(/^dashboards\/|\.json$/g, "") as keyof typeof DASHBOARDS;
      expect(d.uid).toBe(DASHBOARDS[key].uid);
    }
  });

  for (const [path, d] of dashboards) {
    describe(path, () => {
      it("has datasource variables for Prometheus and Loki, model variables, and no unused variable", () => {
        const vars = Object.fromEntries(d.templating.list.map((v) => [v.name, v]));
        expect(vars.datasource).toMatchObject({ type: "datasource", query: "prometheus" });
        expect(vars.loki).toMatchObject({ type: "datasource", query: "loki" });
        // a Tempo variable that no panel reads (until traces are shown) only asks for a datasource
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana variable syntax
        if (vars.tempo) expect(JSON.stringify(d.panels)).toContain("${tempo}");
        if (path === "dashboards/overview.json")
          expect(vars.tempo).toMatchObject({ type: "datasource", query: "tempo" });
        for (const v of ["namespace", "model", "model_version"]) expect(vars[v]?.type).toBe("query");
      });

      it("gives every panel a unit, a description and a unique stable id", () => {
        expect(d.panels.length).toBeGreaterThan(0);
        for (const p of d.panels) {
          expect(p.description, p.title).toBeTruthy();
          expect(p.fieldConfig?.defaults?.unit, p.title).toBeTruthy();
        }
        expect(d.panels.map((p) => p.id)).toEqual(d.panels.map((_, i) => i + 1));
      });

      it("rates over $__rate_interval (or the dashboard range), never a fixed window", () => {
        for (const p of d.panels) {
          for (const t of p.targets ?? []) {
            // (Tempo targets have a TraceQL query, no expr)
            for (const m of (t.expr ?? "").matchAll(/\b(rate|increase)\([^[]*\[([^\]]+)\]/g)) {
              expect(["$__rate_interval", "$__range"], `${p.title}: ${t.expr}`).toContain(m[2]);
            }
          }
        }
      });

      it("links to every other dashboard and to the runbooks", () => {
        const others = Object.values(DASHBOARDS).filter((x) => x.uid !== d.uid);
        for (const o of others) expect(d.links.some((l) => l.url.includes(`/d/${o.uid}/`))).toBe(true);
        expect(
          d.links.some((l) => l.url === "https://github.com/infermon/infermon/blob/main/alerts/runbooks"),
        ).toBe(true);
      });
    });
  }

  it("links panels tied to an alert to that alert's runbook, which is generated", () => {
    const urls = dashboards
      .flatMap(([, d]) => d.panels.flatMap((p) => (p.links ?? []).map((l) => l.url)))
      .filter((u) => !u.includes("/explore?")); // the Tempo links
    expect(urls.length).toBeGreaterThan(5);
    for (const u of urls) {
      const name = /\/([A-Za-z]+)\.md$/.exec(u)?.[1];
      expect(files.has(`alerts/runbooks/${name}.md`), u).toBe(true);
    }
  });

  it("keeps one value per series in stat and bar gauge panels (no table frame reduced to one row)", () => {
    const reduced = dashboards.flatMap(([, d]) =>
      d.panels.filter((p) => p.type === "stat" || p.type === "bargauge"),
    );
    expect(reduced.length).toBeGreaterThan(2);
    for (const p of reduced) for (const t of p.targets ?? []) expect(t.format, p.title).not.toBe("table");
    const tables = dashboards.flatMap(([, d]) => d.panels.filter((p) => p.type === "table"));
    for (const p of tables)
      for (const t of p.targets ?? []) if (t.instant) expect(t.format, p.title).toBe("table");
  });

  it("shows 0, not No data, for the 5xx ratio of a model without errors", () => {
    const overview = dashboards.find(([p]) => p === "dashboards/overview.json")?.[1] as Dashboard;
    const errors = overview.panels.find((p) => p.title === "Error ratio (5xx)");
    expect(errors?.targets?.[0]?.expr).toMatch(/\)\s*or 0 \* sum by \(model\)/);
  });

  it("puts the fleet values the alerts read beside the per-pod ones on the drift dashboard", () => {
    const drift = dashboards.find(([p]) => p === "dashboards/drift.json")?.[1] as Dashboard;
    const exprs = drift.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join("\n");
    for (const r of ["psi", "kl_divergence", "js_distance"])
      expect(exprs).toContain(`model_feature:infermon_feature_${r}:fleet`);
    const pods = drift.panels.find((p) => p.title.startsWith("Which pods"));
    expect(pods?.type).toBe("table");
    expect(pods?.targets?.[0]?.expr).toContain("by (namespace, pod, instance, window)");
  });

  it("shows exemplars on the latency panel, and agent logs from Loki", () => {
    const overview = dashboards.find(([p]) => p === "dashboards/overview.json")?.[1] as Dashboard;
    const latency = overview.panels.find((p) => p.title === "Latency");
    expect(latency?.targets?.every((t) => t.exemplar === true)).toBe(true);
    const agent = dashboards.find(([p]) => p === "dashboards/agent.json")?.[1] as Dashboard;
    const logs = agent.panels.find((p) => p.type === "logs");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana variable syntax
    expect(logs?.targets?.[0]?.datasource?.uid).toBe("${loki}");
  });

  it("links the latency panel to Tempo (Explore on the models' server spans) and lists slow traces", () => {
    const overview = dashboards.find(([p]) => p === "dashboards/overview.json")?.[1] as Dashboard;
    const latency = overview.panels.find((p) => p.title === "Latency");
    const link = latency?.links?.find((l) => l.url.includes("/explore?left="));
    expect(link).toBeDefined();
    // biome-ignore-start lint/suspicious/noTemplateCurlyInString: Grafana variable syntax
    const state = JSON.parse(decodeURIComponent(String(link?.url).split("left=")[1] as string)) as {
      datasource: string;
      queries: { queryType: string; query: string }[];
    };
    expect(state.datasource).toBe("${tempo}");
    expect(state.queries[0]?.query).toBe(
      '{ resource.service.name = "infermon" && kind = server && span.infermon.model =~ "${model:regex}" }',
    );
    const traces = overview.panels.find((p) => p.title === "Slow requests (Tempo)") as Panel & {
      targets: { query: string; datasource: { uid: string } }[];
    };
    expect(traces.targets[0]?.datasource.uid).toBe("${tempo}");
    expect(traces.targets[0]?.query).toContain("span.infermon.model");
    // biome-ignore-end lint/suspicious/noTemplateCurlyInString: Grafana variable syntax
  });
});
