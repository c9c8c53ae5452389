// `infermon routes-test` feeds the generated Alertmanager route cases to the real amtool: the
// committed cases pass, a case expecting the wrong receiver fails (exit 1, named), and a missing
// file or amtool is a clear error.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { cliTimeout, infermon, ROOT } from "../helpers/cli.js";
import { requireTool } from "../helpers/peers.js";

const hasAmtool = requireTool("amtool");
/** the committed cases (every concern of every model adds some) */
const CASES = (
  parse(readFileSync(join(ROOT, "alerts/alertmanager.tests.yaml"), "utf8")) as { cases: unknown[] }
).cases.length;

describe.skipIf(!hasAmtool)("infermon routes-test", () => {
  it("passes on the committed route cases (default file)", { timeout: cliTimeout(1) }, () => {
    const r = infermon(["routes-test"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^ok {4}alertname=InfermonAgentDown model=credit owner=ml-credit severity=critical → pagerduty-ml-credit$/m,
    );
    // input drift tickets by default: the owner's ticket receiver
    expect(r.stdout).toMatch(
      /^ok {4}alertname=InfermonFeatureDrift concern=input_drift model=credit owner=ml-credit severity=warning → slack-ml-credit$/m,
    );
    expect(CASES).toBeGreaterThan(20);
    expect(r.stdout).toMatch(new RegExp(`^${CASES} of ${CASES} route cases pass$`, "m"));
  });

  it("fails, naming the case, when a case expects the wrong receiver", { timeout: cliTimeout(1) }, () => {
    const dir = mkdtempSync(join(tmpdir(), "infermon-routes-"));
    copyFileSync(join(ROOT, "alerts/alertmanager.yaml"), join(dir, "alertmanager.yaml"));
    const data = parse(readFileSync(join(ROOT, "alerts/alertmanager.tests.yaml"), "utf8")) as {
      cases: { labels: Record<string, string>; receiver: string }[];
    };
    const wrong = data.cases.find(
      (c) => c.labels.owner === "ml-pricing" && c.labels.severity === "critical" && !c.labels.concern,
    );
    if (!wrong) throw new Error("no ml-pricing page case");
    wrong.receiver = "pagerduty-ml-credit"; // another team's pager
    writeFileSync(join(dir, "cases.yaml"), stringify(data));
    const r = infermon(["routes-test", join(dir, "cases.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}.*owner=ml-pricing severity=critical: expected pagerduty-ml-credit/m);
    expect(r.stdout).toMatch(new RegExp(`^${CASES - 1} of ${CASES} route cases pass$`, "m"));
  });

  it("exits 2 naming a missing or malformed cases file, 3 without amtool", { timeout: cliTimeout(3) }, () => {
    const missing = infermon(["routes-test", "no/such/cases.yaml"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no\/such\/cases.yaml: cannot read \(ENOENT\)/);
    const dir = mkdtempSync(join(tmpdir(), "infermon-routes-"));
    writeFileSync(join(dir, "bad.yaml"), "config: alertmanager.yaml\ncases: []\n");
    const bad = infermon(["routes-test", join(dir, "bad.yaml")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("cases:");
    const noTool = infermon(["routes-test", "--amtool", join(dir, "no-amtool")]);
    expect(noTool.code).toBe(3);
    expect(noTool.stderr).toMatch(/^infermon: cannot run .*no-amtool: ENOENT/m);
    expect(noTool.stderr).not.toMatch(/\n\s+at /);
  });
});
