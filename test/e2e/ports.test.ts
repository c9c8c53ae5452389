// Ports and errors through the built CLI: a busy port is named with its role (tap / ingest /
// metrics) and exits 3 without a stack trace, for `run` and `demo`; the demo picks free ports unless
// told otherwise; `validate` reads the reference profiles the configuration names.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFixture } from "../helpers/agentFixture.js";
import { cliTimeout, infermon } from "../helpers/cli.js";

let busy: Server;
let port: number;

beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  port = (busy.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
});

const noTrace = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

describe("a busy port", () => {
  it.each(["tap", "ingest", "metrics"] as const)(
    "infermon run: names the %s port, exits 3, no trace",
    (role) => {
      const fixture = writeFixture({ ingest: true });
      const file = join(fixture.dir, `busy-${role}.yaml`);
      // the fixture listens on 127.0.0.1:0 everywhere; put the busy port where `role` listens
      const yaml = readFileSync(fixture.file, "utf8").replace(
        `${role}: {listen: "127.0.0.1:0"`,
        `${role}: {listen: "127.0.0.1:${port}"`,
      );
      expect(yaml).toContain(`127.0.0.1:${port}`);
      writeFileSync(file, yaml);
      const r = infermon(["run", "-c", file]);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain(`cannot open the ${role} listener on 127.0.0.1:${port} (${role}.listen)`);
      expect(r.stderr).toContain("already in use");
      noTrace(r.stderr);
    },
  );

  it("infermon demo: names the tap port, exits 3, no trace, does not hang", {
    timeout: cliTimeout(2),
  }, () => {
    const r = infermon(["demo", "--duration", "3s", "--port", String(port)]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`cannot open the tap listener on 127.0.0.1:${port}`);
    noTrace(r.stderr);
    const m = infermon(["demo", "--duration", "3s", "--metrics-port", String(port)]);
    expect(m.code, m.stderr).toBe(3);
    expect(m.stderr).toContain(`cannot open the metrics listener on 127.0.0.1:${port}`);
    noTrace(m.stderr);
  });

  it("infermon demo picks free ports unless told otherwise", { timeout: cliTimeout(1) }, () => {
    const r = infermon(["demo", "--duration", "2s", "--rate", "10"]);
    expect(r.code, r.stderr).toBe(0);
    const tap = /tap http:\/\/127\.0\.0\.1:(\d+)/.exec(r.stdout)?.[1];
    const metrics = /metrics http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(r.stdout)?.[1];
    expect(tap).toBeDefined();
    expect(tap).not.toBe("8080");
    expect(metrics).not.toBe("9464");
  });
});

describe("infermon validate reads the reference profiles", () => {
  it("exits 0 when they exist and fit, 2 naming the model and file when missing or unreadable", {
    timeout: cliTimeout(2),
  }, () => {
    const { file, config } = writeFixture();
    const ok = infermon(["validate", "-c", file]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("2 reference profiles read");
    const credit = config.models[0]?.reference as string;
    const house = config.models[1]?.reference as string;
    rmSync(credit);
    writeFileSync(house, "{truncated");
    const bad = infermon(["validate", "-c", file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /models\[0\]\.reference: model "credit": cannot read reference profile .*credit\.json/,
    );
    expect(bad.stderr).toMatch(
      /models\[1\]\.reference: model "house-price": cannot read reference profile .*house-price\.json: .*JSON/,
    );
    noTrace(bad.stderr);
  });
});
