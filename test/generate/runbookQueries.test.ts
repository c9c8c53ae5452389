// Runbook queries work at 3 a.m.: every PromQL line runs on a real Prometheus (and parses in
// promtool), every LogQL message filter names a line the agent writes (src/export/logMessages.ts),
// the model is spelled out, the only placeholders left are labels the alert carries, and each
// alert carries its runbook's first queries with those labels templated in.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { LOG } from "../../src/export/logMessages.js";
import { requireTool } from "../helpers/peers.js";
import { requirePrometheus, startPrometheus } from "../helpers/prometheus.js";
import { ROOT, removeTempDirs, tempDir } from "./helpers.js";

afterAll(removeTempDirs);

const dir = join(ROOT, "alerts/runbooks");
const runbooks = readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")] as const);
const blocks = (text: string, lang: string) =>
  [...text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, "g"))].flatMap((m) =>
    (m[1] as string).split("\n").filter((l) => l.trim() !== ""),
  );

/** Labels an alert may carry and a runbook query may leave to fill in (with a value to test with). */
const LABELS: Record<string, string> = {
  instance: "10.0.0.1:9464",
  pod: "infermon-0",
  namespace: "ml",
  window: "1h",
  model_version: "3",
  feature: "income",
  // the trace section's values read from a trace or a log line
  trace_id: "0af7651916cd43dd8448eb211c80319c",
  request_id: "req-1",
};
const fill = (line: string) => line.replace(/<([a-z_]+)>/g, (_, l: string) => LABELS[l] ?? `<${l}>`);

const CATALOG = Object.values(LOG) as string[];

describe("runbook queries", () => {
  it("name the model; the placeholders left are labels of the alert", () => {
    for (const [file, text] of runbooks) {
      for (const line of [...blocks(text, "promql"), ...blocks(text, "logql")]) {
        expect(line, file).not.toMatch(/<model>/);
        for (const m of line.matchAll(/<([a-z_]+)>/g))
          expect(Object.keys(LABELS), `${file}: ${line}`).toContain(m[1]);
      }
    }
  });

  it("filter LogQL on messages the agent logs (the catalog in src/export/logMessages.ts)", () => {
    let filters = 0;
    for (const [file, text] of runbooks) {
      for (const line of blocks(text, "logql")) {
        for (const m of line.matchAll(/\bmsg\s*=\s*"((?:[^"\\]|\\.)*)"/g)) {
          filters++;
          expect(CATALOG, `${file}: ${line}`).toContain(m[1]);
        }
        for (const m of line.matchAll(/\bmsg\s*=~\s*"((?:[^"\\]|\\.)*)"/g)) {
          // every alternative of a regex filter matches a catalog message
          for (const alt of (m[1] as string).split("|")) {
            filters++;
            const re = new RegExp(`^(?:${alt})$`);
            expect(
              CATALOG.some((msg) => re.test(msg) || re.test(`${msg}x`)),
              `${file}: ${alt}`,
            ).toBe(true);
          }
        }
        // the pod selector of an agent's logs is the agent container's
        expect(line, file).toMatch(/^\{container="infermon"/);
      }
    }
    expect(filters).toBeGreaterThanOrEqual(4);
  });

  it("every alert carries its runbook's first queries as promql and logql annotations", () => {
    const rules = readdirSync(join(ROOT, "alerts"))
      .filter((f) => f.endsWith(".rules.yaml"))
      .flatMap((f) =>
        (
          parse(readFileSync(join(ROOT, "alerts", f), "utf8")) as {
            groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[];
          }
        ).groups.flatMap((g) => g.rules),
      )
      .filter((r) => r.alert);
    expect(rules.length).toBeGreaterThan(20);
    for (const r of rules) {
      expect(r.annotations?.promql, r.alert).toBeTruthy();
      expect(r.annotations?.logql, r.alert).toMatch(/^\{container="infermon"/);
    }
  });

  it.skipIf(!requireTool("promtool"))("parse as PromQL (promtool check rules)", () => {
    const exprs = runbooks.flatMap(([, text]) => blocks(text, "promql")).map(fill);
    expect(exprs.length).toBeGreaterThan(20);
    const rules = exprs.map((expr, i) => ({ record: `runbook:query_${i}:check`, expr }));
    const file = join(tempDir("runbook-queries"), "queries.rules.yaml");
    writeFileSync(file, stringify({ groups: [{ name: "runbook-queries", rules }] }));
    execFileSync("promtool", ["check", "rules", file], { encoding: "utf8" });
  });

  it.skipIf(!requirePrometheus())("run on a real Prometheus", { timeout: 120_000 }, async () => {
    const prometheus = await startPrometheus();
    try {
      const exprs = [...new Set(runbooks.flatMap(([, text]) => blocks(text, "promql")).map(fill))];
      for (const expr of exprs) await expect(prometheus.query(expr), expr).resolves.toBeDefined();
    } finally {
      await prometheus.stop();
    }
  });
});
