// The whole kind of issue #8 §5: every series a generated rule (alerts/, slo/) reads with rate() or
// increase() exists on the agent's /metrics right after start, so the first increment is never lost.
// The agent runs the example configuration; the rules are generated from that same configuration,
// and each selector inside rate()/increase() must match at least one sample at start.

import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/model.js";
import { generate } from "../../src/generate/pipeline.js";
import { EXAMPLE, ROOT } from "../generate/helpers.js";
import { send } from "../helpers/http.js";
import { parseMetrics, type Sample } from "../helpers/metricsText.js";

const base = loadConfig(join(ROOT, EXAMPLE));
const config: Config = {
  ...base,
  ...(base.tap && { tap: { ...base.tap, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:1" } }),
  ...(base.ingest && { ingest: { ...base.ingest, listen: "127.0.0.1:0" } }),
  metrics: { ...base.metrics, listen: "127.0.0.1:0" },
};

interface Selector {
  text: string;
  name: string;
  matchers: { label: string; op: string; value: string }[];
}

/** Every `metric{…}` directly inside rate(…[w]) or increase(…[w]) of the generated rule files. */
function selectorsReadByRate(): Selector[] {
  const files = generate(base, { source: EXAMPLE });
  const exprs = [...files]
    .filter(([p]) => p.endsWith(".rules.yaml"))
    .flatMap(([, c]) => (parse(c) as { groups: { rules: { expr: string }[] }[] }).groups)
    .flatMap((g) => g.rules.map((r) => r.expr));
  const out = new Map<string, Selector>();
  for (const e of exprs)
    for (const m of e.matchAll(/\b(?:rate|increase)\(([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\[/g)) {
      const text = m[0];
      const matchers = [...(m[2] ?? "").matchAll(/([a-zA-Z_]\w*)(=~|!~|!=|=)"((?:[^"\\]|\\.)*)"/g)].map(
        (x) => ({
          label: x[1] as string,
          op: x[2] as string,
          value: x[3] as string,
        }),
      );
      out.set(text, { text, name: m[1] as string, matchers });
    }
  return [...out.values()];
}

/**
 * A matcher on a label the agent never puts on that metric (job, instance, or the `model` of a
 * scrape target on an agent-wide counter) is the scrape target's, added by Prometheus: not checked.
 */
function matches(s: Sample, sel: Selector, agentLabels: ReadonlySet<string>): boolean {
  if (s.name !== sel.name) return false;
  return sel.matchers.every(({ label, op, value }) => {
    if (!agentLabels.has(label)) return true;
    const v = s.labels[label] ?? "";
    const re = new RegExp(`^(?:${value})$`);
    if (op === "=") return v === value;
    if (op === "!=") return v !== value;
    if (op === "=~") return re.test(v);
    return !re.test(v);
  });
}

let agent: Agent;
let addr: Addresses;
let samples: Sample[];
/** Names the agent declares (# TYPE), whether or not a series exists yet; histograms' suffixes too. */
let exported: Set<string>;

beforeAll(async () => {
  agent = new Agent(config, { processMetrics: false });
  addr = await agent.start();
  const text = (await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString();
  samples = parseMetrics(text);
  exported = new Set(
    [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
      type === "histogram" ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name as string],
    ),
  );
});

afterAll(async () => {
  await agent.stop(500);
});

describe("series generated rules read with rate()/increase() exist at start", () => {
  const selectors = selectorsReadByRate();

  it("finds the selectors (requests, events, drops, parse errors, data quality, bins)", () => {
    const names = new Set(selectors.map((s) => s.name));
    for (const n of [
      "infermon_inference_requests_total",
      "infermon_events_total",
      "infermon_events_dropped_total",
      "infermon_parse_errors_total",
      "infermon_feature_missing_total",
    ])
      expect(names, n).toContain(n);
  });

  it("reads only metrics this agent exports", () => {
    expect(selectors.filter((sel) => !exported.has(sel.name)).map((sel) => sel.text)).toEqual([]);
  });

  it("every selector matches a series at 0 on /metrics right after start", () => {
    // (a metric not exported at all fails the test above)
    const missing = selectors
      .filter((sel) => exported.has(sel.name))
      .filter((sel) => {
        const own = new Set(samples.filter((s) => s.name === sel.name).flatMap((s) => Object.keys(s.labels)));
        return !samples.some((s) => matches(s, sel, own) && s.value === 0);
      })
      .map((sel) => sel.text);
    expect(missing).toEqual([]);
  });
});
