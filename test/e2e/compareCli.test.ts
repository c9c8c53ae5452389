// `infermon compare` through the built CLI: a candidate's offline predictions against the current
// model's, as a CI gate. Agreement, differences and the loss test equal a computation here on the
// same rows; exit codes as `drift` (0 ok, 1 --fail-on reached, 2 bad input naming it).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { infermon } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "infermon-compare-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic uniform numbers (an LCG; the test recomputes everything from the same draws). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

interface Row {
  id: string;
  a: number;
  b: number;
  truth: number;
}

function rows(n: number, shift: number, seed = 3): Row[] {
  const r = lcg(seed);
  return Array.from({ length: n }, (_, i) => {
    const z = (r() - 0.5) * 6;
    const a = sigmoid(z);
    return { id: `r${i}`, a, b: sigmoid(z + shift), truth: r() < a ? 1 : 0 };
  });
}

function write(
  name: string,
  list: Row[],
  side: "a" | "b",
  opts: { shuffle?: boolean; label?: boolean } = {},
): string {
  const out = opts.shuffle ? [...list].reverse() : list;
  const file = join(dir, name);
  writeFileSync(
    file,
    `id,probability${opts.label ? ",truth" : ""}\n${out.map((r) => `${r.id},${r[side]}${opts.label ? `,${r.truth}` : ""}`).join("\n")}\n`,
  );
  return file;
}

const compare = (a: string, b: string, ...more: string[]) =>
  infermon(["compare", "-c", "examples/infermon.yaml", "-m", "credit", "--a", a, "--b", b, ...more]);

describe("infermon compare", () => {
  it("gates a candidate that disagrees: agreement and differences as computed here, exit 1 with --fail-on", () => {
    const list = rows(2000, 0.8);
    const a = write("a.csv", list, "a");
    const b = write("b.csv", list, "b", { shuffle: true });
    const r = compare(a, b, "--id", "id", "--fail-on", "critical");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const agree = list.filter((x) => x.a >= 0.5 === x.b >= 0.5).length;
    expect(report.rows).toEqual({ a: 2000, b: 2000, paired: 2000, unpaired_a: 0, unpaired_b: 0 });
    expect(report.agreement).toMatchObject({
      compared: 2000,
      agree,
      share: agree / 2000,
      status: "critical",
    });
    const diffs = list.map((x) => Math.abs(x.b - x.a));
    expect(report.difference.mean).toBeCloseTo(diffs.reduce((s, d) => s + d, 0) / diffs.length, 9);
    expect(report.difference.buckets.find((x: { le: number }) => x.le === 0.1).count).toBe(
      diffs.filter((d) => d <= 0.1).length,
    );
    expect(report.drift.b_vs_a.psi).toBeGreaterThan(0);
    expect(report.status).toBe("critical");
    // the table says the same for people
    const t = compare(a, b, "--id", "id", "--format", "table");
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/agreement\s+\d+\.\d+ % of 2000 rows .*!! CRITICAL/);
  });

  it("passes a candidate that agrees (pairing by position), exit 0", () => {
    const list = rows(1000, 0.0001, 9);
    const r = compare(write("a2.csv", list, "a"), write("b2.csv", list, "b"), "--fail-on", "warning");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.agreement.share).toBeGreaterThan(0.99);
    expect(report.status).toBe("ok");
  });

  it("with labels: each side's accuracy and the always-valid test say whether B is worse", () => {
    // B answers the opposite of A: its accuracy is 1 − A's
    const list = rows(1500, 0, 5).map((x) => ({ ...x, b: 1 - x.a }));
    const r = compare(
      write("a3.csv", list, "a", { label: true }),
      write("b3.csv", list, "b"),
      "--id",
      "id",
      "--label",
      "truth",
      "--min-agreement",
      "0",
    );
    const report = JSON.parse(r.stdout);
    const accA = list.filter((x) => (x.a >= 0.5 ? 1 : 0) === x.truth).length / list.length;
    const accB = list.filter((x) => (x.b >= 0.5 ? 1 : 0) === x.truth).length / list.length;
    expect(report.quality.labels).toBe(1500);
    expect(report.quality.a.accuracy).toBeCloseTo(accA, 12);
    expect(report.quality.b.accuracy).toBeCloseTo(accB, 12);
    expect(report.quality.test.difference).toBeCloseTo(accA - accB, 12);
    expect(report.quality.test.worse).toBe(true);
    expect(report.status).toBe("critical");
  });

  it("says insufficient_data below min_samples, and fails only with --fail-on-insufficient", () => {
    const list = rows(50, 1);
    const [a, b] = [write("a4.csv", list, "a"), write("b4.csv", list, "b")];
    const r = compare(a, b, "--fail-on", "critical");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe("insufficient_data");
    expect(r.stderr).toContain("below min_samples (200)");
    expect(compare(a, b, "--fail-on-insufficient").code).toBe(1);
  });

  it("exits 2 naming what is wrong", () => {
    const a = write("a5.csv", rows(10, 0), "a");
    const noColumn = join(dir, "wrong.csv");
    writeFileSync(noColumn, "id,score\nr0,0.5\n");
    const r1 = compare(a, noColumn);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('no column "probability"');
    const r2 = compare(a, a, "--label", "truth");
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('no label column "truth"');
    const r3 = compare(a, a, "--min-agreement", "2");
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain("--min-agreement");
    const r4 = infermon(["compare", "-c", "examples/infermon.yaml", "-m", "nope", "--a", a, "--b", a]);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain("nope");
  });
});
