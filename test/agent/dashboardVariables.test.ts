// The dashboards' model and model_version variables list every configured model from the start,
// whichever way its traffic arrives. An agent fed only by KServe/Seldon payload loggers (ingest, no
// tap) has no infermon_inference_requests_total: variables read from it were empty, and so was
// every panel filtered by them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { generate } from "../../src/generate/pipeline.js";
import { configFrom, exampleData } from "../generate/helpers.js";
import { writeFixture } from "../helpers/agentFixture.js";
import { send } from "../helpers/http.js";
import { parseMetrics, type Sample } from "../helpers/metricsText.js";

interface Variable {
  name: string;
  query?: unknown;
}

const variables = [...generate(configFrom(exampleData()), { source: "x.yaml" })]
  .filter(([p]) => p.startsWith("dashboards/") && p.endsWith(".json"))
  .flatMap(([, c]) => (JSON.parse(c) as { templating: { list: Variable[] } }).templating.list)
  .filter((v) => v.name === "model" || v.name === "model_version");

/** The metric names a `label_values(selector, label)` query reads: `name{…}` or `{__name__=~"a|b",…}`. */
function metricNames(query: string): string[] {
  const m = /^label_values\((.*), (\w+)\)$/.exec(query);
  if (!m) throw new Error(`not a label_values query: ${query}`);
  const selector = m[1] as string;
  const byName = /__name__=~"([^"]+)"/.exec(selector);
  if (byName) return (byName[1] as string).split("|");
  return [(/^([a-zA-Z_:][\w:]*)/.exec(selector) as RegExpExecArray)[1] as string];
}

const queryText = (q: unknown): string =>
  typeof q === "string" ? q : String((q as { query?: string; qryType?: number }).query);

for (const [name, fixture] of [
  ["ingest only (payload loggers)", { tap: false, ingest: true }],
  ["tap only", { tap: true, ingest: false }],
] as const) {
  describe(`dashboard model variables, ${name}`, () => {
    let agent: Agent;
    let addr: Addresses;
    let samples: Sample[];
    let models: { name: string; version: string }[];

    beforeAll(async () => {
      const f = writeFixture(fixture);
      models = f.config.models.map((m) => ({ name: m.name, version: m.version }));
      agent = new Agent(f.config, { processMetrics: false });
      addr = await agent.start();
      samples = parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
    });

    afterAll(async () => {
      await agent.stop(500);
    });

    it("every configured model and version is a value of the variables right after start", () => {
      expect(variables.length).toBeGreaterThan(0);
      for (const v of variables) {
        const names = metricNames(queryText(v.query));
        const values = new Set(
          samples.filter((s) => names.includes(s.name)).map((s) => s.labels[v.name] as string),
        );
        for (const m of models)
          expect(values, `${v.name}: ${queryText(v.query)}`).toContain(
            m[v.name === "model" ? "name" : "version"],
          );
      }
    });
  });
}
