import { describe, expect, it } from "vitest";
import { infermon } from "../helpers/cli.js";

describe("infermon demo", () => {
  it("runs toy model, tap and drifting traffic, and reports the drift the agent exports", () => {
    const r = infermon(["demo", "--duration", "12s", "--port", "0", "--metrics-port", "0", "--rate", "40"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/tap http:\/\/127\.0\.0\.1:\d+/);
    // one report line per 5 s plus the final one, each with five PSI values
    const lines = r.stdout.split("\n").filter((l) => /^\d+s\s+(normal|drifted)/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(r.stdout).toMatch(/\d+ requests through the tap \(0 failed\)/);
    // the new "islands" region makes region drift critical within seconds
    expect(r.stdout).toMatch(/Critical drift \(PSI ≥ 0\.25\) in: .*region/);
  }, 60_000);

  it("rejects a bad duration with exit 2", () => {
    const r = infermon(["demo", "--duration", "soon"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--duration: not a duration");
  });
});
