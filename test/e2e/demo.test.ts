import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, cliTimeout, infermon } from "../helpers/cli.js";
import { hasTool } from "../helpers/peers.js";

const ESC = String.fromCharCode(27);

describe("infermon demo", () => {
  it("shows drift, late labels, accuracy and the alerts the generated rules fire, then a summary", () => {
    const r = infermon(["demo", "--duration", "24s", "--interval", "3s", "--rate", "30"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/);
    // stdout is not a terminal: one plain line per interval, no escape sequences
    expect(r.stdout).not.toContain(`${ESC}[`);
    const lines = r.stdout.split("\n").filter((l) => /^\s*\d+s (normal |drifted)\s*\|/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.some((l) => l.includes("normal"))).toBe(true);
    expect(lines.some((l) => l.includes("drifted"))).toBe(true);
    // Every printed line's rate covers the time since the previous line: traffic flows, so never 0.
    for (const l of lines) expect(Number(/req\/s=([\d.]+)/.exec(l)?.[1]), l).toBeGreaterThan(0);
    const summary = r.stdout.slice(r.stdout.indexOf("\nsummary"));
    expect(summary).toMatch(/\d+ requests through the tap \(0 failed\), [1-9]\d* labels posted late/);
    // the new region and the inflated income: both at warning or worse, the others not
    const flagged = /features at warning or worse: (.*)/.exec(summary)?.[1] ?? "";
    expect(flagged).toMatch(/region \((warning|critical)/);
    expect(flagged).toMatch(/income \((warning|critical)/);
    expect(flagged).not.toMatch(/\b(age|score) \(/);
    // the drift alerts fired by the rules' own levels and `for:` (per feature, or one per model)
    expect(summary).toMatch(
      /alerts that fired \(generated rules' levels\): .*InfermonFeatureDrift\w*(\{feature=region\})? critical/,
    );
    // labels arrived late and joined: accuracy known before the drift and lower at the end
    const acc = /accuracy: ([\d.]+) before the drift, ([\d.]+) at the end/.exec(summary);
    expect(acc, summary).not.toBeNull();
    expect(Number(acc?.[1])).toBeGreaterThan(0.84);
    expect(Number(acc?.[2])).toBeLessThan(Number(acc?.[1]));
    expect(summary).toMatch(/metrics were served at http:\/\/127\.0\.0\.1:\d+\/metrics/);
  }, 90_000);

  it.runIf(hasTool("script"))(
    "on a terminal, redraws its panel in place",
    () => {
      // `script` gives the demo a pseudo-terminal, as a user's shell would
      const r = spawnSync(
        "script",
        ["-qec", `${process.execPath} ${CLI} demo --duration 6s --rate 20`, "/dev/null"],
        { encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1", COLUMNS: "120" } },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain("drift over the 30s window");
      // cursor up to the panel's first line and clear below: a redraw, not a scroll
      expect(r.stdout).toMatch(new RegExp(`${ESC}\\[\\d+F${ESC}\\[J`));
      expect(r.stdout.split("infermon demo  ").length).toBeGreaterThan(3);
      expect(r.stdout).toContain("summary");
    },
    60_000,
  );

  it("rejects a bad duration with exit 2", { timeout: cliTimeout(1) }, () => {
    const r = infermon(["demo", "--duration", "soon"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--duration: not a duration");
  });

  describe("a port in use", () => {
    let busy: Server;
    let port = 0;
    beforeAll(async () => {
      busy = createServer();
      await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
      port = (busy.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((r) => busy.close(() => r())));

    it.each([
      ["--port", "tap"],
      ["--ingest-port", "ingest"],
      ["--metrics-port", "metrics"],
    ])("%s: exit 3 naming the port, its role and the flag", (flag, role) => {
      const r = infermon(["demo", "--duration", "5s", flag, String(port)]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(
        `cannot open the ${role} listener on 127.0.0.1:${port} (${flag}): the port is already in use`,
      );
      expect(r.stderr).toContain(`leave ${flag} out for a free one`);
      expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    });
  });
});
