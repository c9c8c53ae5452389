// The cases of issue #15 through the CLI: one non-numeric value in a JSONL numeric column (early,
// past DuckDB's type sample, in training data), a BOM, and `baseline` without the prediction column.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliTimeout, infermon } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "infermon-mixed-"));
const at = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const cfg = (prediction: string) =>
  at(
    `cfg-${prediction.length}.yaml`,
    `models:
  - name: m
    task: regression
    features:
      - {name: a, type: numeric}
      - {name: c, type: categorical}
    prediction: ${prediction}
`,
  );
const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ a: (i % 97) + 0.5, c: `x${i % 5}`, p: i / n }));
const jsonl = (rs: unknown[], bom = "") => bom + rs.map((r) => JSON.stringify(r)).join("\n") + "\n";
const report = (r: { stdout: string }) =>
  JSON.parse(r.stdout) as {
    rows: { current: number };
    features: { name: string; status: string; invalid: number }[];
  };

describe("mixed types in JSONL", () => {
  const config = cfg("{output: p}");
  const ref = join(dir, "ref.json");

  it("one bad value is one invalid value, at row 6 or row 25,001, in current and training data", {
    timeout: cliTimeout(7),
  }, () => {
    expect(
      infermon(["baseline", "-c", config, "-m", "m", "--data", at("ref.jsonl", jsonl(rows(600))), "-o", ref])
        .code,
    ).toBe(0);
    for (const bad of ["abc", "1500x", true, {}]) {
      const early = rows(600);
      (early[5] as Record<string, unknown>).a = bad;
      const r = infermon([
        "drift",
        "-c",
        config,
        "-m",
        "m",
        "--reference",
        ref,
        "--current",
        at("early.jsonl", jsonl(early)),
        "--format",
        "json",
        "--fail-on",
        "critical",
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(report(r).features.find((f) => f.name === "a")).toMatchObject({ status: "ok", invalid: 1 });
    }
    const late = rows(30_000);
    (late[25_000] as Record<string, unknown>).a = "abc";
    const r = infermon([
      "drift",
      "-c",
      config,
      "-m",
      "m",
      "--reference",
      ref,
      "--current",
      at("late.jsonl", jsonl(late)),
      "--format",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(report(r).features.find((f) => f.name === "a")?.invalid).toBe(1);
    // in training data: a profile with values, one invalid
    const out = join(dir, "bad-ref.json");
    expect(
      infermon(["baseline", "-c", config, "-m", "m", "--data", at("bad-ref.jsonl", jsonl(late)), "-o", out])
        .code,
    ).toBe(0);
    const a = JSON.parse(readFileSync(out, "utf8")).features[0];
    expect(a.invalid).toBe(1);
    expect(a.counts.reduce((x: number, y: number) => x + y, 0)).toBe(29_999);
  });

  it("a byte order mark costs no row (JSONL and CSV)", { timeout: cliTimeout(2) }, () => {
    const r1 = infermon([
      "drift",
      "-c",
      config,
      "-m",
      "m",
      "--reference",
      ref,
      "--current",
      at("bom.jsonl", jsonl(rows(600), "\ufeff")),
      "--format",
      "json",
    ]);
    expect(r1.code, r1.stderr).toBe(0);
    expect(report(r1).rows.current).toBe(600);
    expect(r1.stderr).not.toContain("skipped");
    const csv = `\ufeffa,c,p\n${rows(600)
      .map((r) => `${r.a},${r.c},${r.p}`)
      .join("\n")}\n`;
    const r2 = infermon([
      "drift",
      "-c",
      config,
      "-m",
      "m",
      "--reference",
      ref,
      "--current",
      at("bom.csv", csv),
      "--format",
      "json",
    ]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(report(r2).rows.current).toBe(600);
    expect(report(r2).features.every((f) => f.status === "ok")).toBe(true);
  });
});

describe("baseline without the prediction column", () => {
  const data = at("nop.jsonl", jsonl(rows(100).map(({ a, c }) => ({ a, c }))));
  it("exits 2 naming the column and the columns found when prediction.output is configured", {
    timeout: cliTimeout(1),
  }, () => {
    const r = infermon([
      "baseline",
      "-c",
      cfg("{output: p}"),
      "-m",
      "m",
      "--data",
      data,
      "-o",
      join(dir, "x.json"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'the prediction column "p" (prediction.output) is not in the data (its columns or keys: a, c)',
    );
  });
  it("exits 2 naming the model and the default column when prediction.output is not set", () => {
    const config = at(
      "cfg-default.yaml",
      `models:
  - name: credit-risk
    task: regression
    features:
      - {name: a, type: numeric}
      - {name: c, type: categorical}
`,
    );
    const out = join(dir, "default.json");
    const r = infermon(["baseline", "-c", config, "-m", "credit-risk", "--data", data, "-o", out]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      'model "credit-risk": the prediction column "prediction" (prediction.output, by default) is not in the data (its columns or keys: a, c)',
    );
    expect(r.stderr).toContain("set prediction: false");
    // no profile without its prediction is written
    expect(existsSync(out)).toBe(false);
    // and with the column present under the default name, the profile has the prediction
    const withP = at("withp.jsonl", jsonl(rows(100).map(({ a, c, p }) => ({ a, c, prediction: p }))));
    const ok = infermon(["baseline", "-c", config, "-m", "credit-risk", "--data", withP, "-o", out]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8")).prediction.name).toBe("prediction");
  }, 120_000);
  it("writes a profile without a prediction when the config says there is none (prediction: false)", {
    timeout: cliTimeout(1),
  }, () => {
    const out = join(dir, "none.json");
    const r = infermon(["baseline", "-c", cfg("false"), "-m", "m", "--data", data, "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8")).prediction).toBeUndefined();
  });
});
