// The alert-quality harness's CI subset (bench/alert-quality/run.mjs runs every scenario): the
// generated rules on simulated fleet series through `promtool test rules`. Needs `npm run build`
// (npm test does it) and promtool.
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM module of the benchmark, shared with the test
import { DRIFT, runDrift, runSlo, SLO } from "../../bench/alert-quality/scenarios.mjs";
import { requireTool } from "../helpers/peers.js";

interface DriftResult {
  page?: number;
  prePage?: boolean;
  pagedAlerts: Record<string, number>;
}
interface SloResult {
  page?: number;
  pageMinutes: number;
}
type Named = { name: string; ci?: boolean };
const hasPromtool = requireTool("promtool");
const drift = (name: string) => (DRIFT as Named[]).find((s) => s.ci && s.name === name);
const slo = (name: string) => (SLO as Named[]).find((s) => s.ci && s.name === name);

describe.skipIf(!hasPromtool)("alert-quality harness (CI subset)", { timeout: 240_000 }, () => {
  it("stable traffic at 1 req/s with learned levels never pages", async () => {
    const r: DriftResult = await runDrift(drift("stable 6 h at 1 req/s"), "auto");
    expect(r.page).toBeUndefined();
  });

  it("two replicas, only one sees a 0.5σ shift: one page for the model within two windows", async () => {
    const r: DriftResult = await runDrift(
      drift("two replicas at 5 req/s, only one sees a 0.5σ shift"),
      "auto",
    );
    expect(r.prePage).toBe(false);
    expect(r.page).toBeDefined();
    expect(r.page as number).toBeLessThanOrEqual(120);
    // one alert per model and level: not one per pod, feature or statistic
    expect(r.pagedAlerts).toEqual({ InfermonFeatureDrift: 1 });
  });

  it("the default levels (at each window's sample size) never page stable traffic and page the shift", async () => {
    const stable: DriftResult = await runDrift(drift("stable 6 h at 1 req/s"), "sample");
    expect(stable.page).toBeUndefined();
    const r: DriftResult = await runDrift(
      drift("two replicas at 5 req/s, only one sees a 0.5σ shift"),
      "sample",
    );
    expect(r.prePage).toBe(false);
    expect(r.page as number).toBeLessThanOrEqual(120);
  });

  it("48 req/h failing 25 % pages within the hour (the all-events guard never paged)", async () => {
    const s = slo("48 req/h with 25 % errors (3.5 days)");
    const now: SloResult = await runSlo(s, "infermon");
    expect(now.page).toBeDefined();
    expect(now.page as number).toBeLessThanOrEqual(60);
    const before: SloResult = await runSlo(s, "previous");
    expect(before.page).toBeUndefined();
  });

  it("one failed request out of four never pages (Sloth's tiers without a guard do)", async () => {
    const s = slo("1 error in 4 requests");
    const now: SloResult = await runSlo(s, "infermon");
    expect(now.page).toBeUndefined();
    const sloth: SloResult = await runSlo(s, "sloth");
    expect(sloth.pageMinutes).toBeGreaterThan(0);
  });

  it("2 % errors at 10 req/s pages within an hour", async () => {
    const r: SloResult = await runSlo(slo("2 % errors at 10 req/s (after 6 h at 0.05 %)"), "infermon");
    expect(r.page).toBeDefined();
    expect(r.page as number).toBeLessThanOrEqual(60);
  });
});
