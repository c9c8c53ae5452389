// Runbook queries run as written: no placeholder to replace, and promtool parses every PromQL line.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { requireTool } from "../helpers/peers.js";
import { ROOT, removeTempDirs, tempDir } from "./helpers.js";

afterAll(removeTempDirs);

const dir = join(ROOT, "alerts/runbooks");
const runbooks = readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")] as const);
const blocks = (text: string, lang: string) =>
  [...text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, "g"))].flatMap((m) =>
    (m[1] as string).split("\n").filter((l) => l.trim() !== ""),
  );

describe("runbook queries", () => {
  it("name the model and feature (no <model> or <feature> to replace at 3 a.m.)", () => {
    // <trace_id> / <request_id> in the trace section stand for values read from a trace
    for (const [file, text] of runbooks) {
      for (const line of [...blocks(text, "promql"), ...blocks(text, "logql")])
        expect(line, file).not.toMatch(/<(model|feature)>/);
    }
  });

  it.skipIf(!requireTool("promtool"))("parse as PromQL (promtool check rules)", () => {
    const exprs = runbooks.flatMap(([, text]) => blocks(text, "promql"));
    expect(exprs.length).toBeGreaterThan(20);
    const rules = exprs.map((expr, i) => ({ record: `runbook:query_${i}:check`, expr }));
    const file = join(tempDir("runbook-queries"), "queries.rules.yaml");
    writeFileSync(file, stringify({ groups: [{ name: "runbook-queries", rules }] }));
    execFileSync("promtool", ["check", "rules", file], { encoding: "utf8" });
  });
});
