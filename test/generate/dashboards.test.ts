// Dashboard conventions: stable uids, datasource and model variables, unit and description on
// every panel, $__rate_interval, links between dashboards and to runbooks, Tempo exemplars.
import { describe, expect, it } from "vitest";
import { DASHBOARDS } from "../../src/generate/conventions.js";
import { generate } from "../../src/generate/pipeline.js";
import { configFrom, exampleData } from "./helpers.js";

interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: { expr: string; exemplar?: boolean; datasource?: { uid?: string } }[];
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
  .filter(([p]) => p.startsWith("dashboards/"))
  .map(([p, c]) => [p, JSON.parse(c) as Dashboard] as const);

describe("dashboards", () => {
  it("one per concern, with the conventional stable uids", () => {
    expect(dashboards.map(([p]) => p).sort()).toEqual(
      ["agent", "drift", "overview", "predictions", "quality"].map((k) => `dashboards/${k}.json`),
    );
    for (const [path, d] of dashboards) {
      const key = path.replace(/^dashboards\/|\.json$/g, "") as keyof typeof DASHBOARDS;
      expect(d.uid).toBe(DASHBOARDS[key].uid);
    }
  });

  for (const [path, d] of dashboards) {
    describe(path, () => {
      it("has datasource variables for Prometheus, Loki and Tempo and model variables", () => {
        const vars = Object.fromEntries(d.templating.list.map((v) => [v.name, v]));
        expect(vars.datasource).toMatchObject({ type: "datasource", query: "prometheus" });
        expect(vars.loki).toMatchObject({ type: "datasource", query: "loki" });
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

  it("shows Tempo exemplars on the latency panel, and agent logs from Loki", () => {
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
