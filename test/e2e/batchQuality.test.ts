// `infermon drift` with the target column (labels.target): realized quality equal to an
// independent computation written here (scikit-learn's formulas, the exact pairwise AUC, numpy's
// MAE/RMSE), the CBPE estimate beside it (and alone without targets), and the gate: --fail-on
// fails at the quality level (accuracy below quality.accuracy) like a drift level. Multiclass
// scores from JSONL lists, through baseline and drift.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DriftReport } from "../../src/stats/driftReport.js";
import type { ClassificationQuality, RegressionQuality } from "../../src/stats/qualityReport.js";
import { creditDriftArgs, infermon } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "infermon-batchq-"));
const at = (name: string, text?: string) => {
  const p = join(tmp, name);
  if (text !== undefined) writeFileSync(p, text);
  return p;
};

function csvRows(file: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(file, "utf8").trim().split("\n");
  const cols = (head as string).split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [cols[i] as string, v])));
}

/** scikit-learn: accuracy_score, precision/recall/f1 (zero_division=0) per class and macro, roc_auc_score. */
function sklearn(pred: string[], truth: string[], score: number[]) {
  const classes = [...new Set([...pred, ...truth])].sort();
  const per = classes.map((c) => {
    const tp = pred.filter((p, i) => p === c && truth[i] === c).length;
    const pp = pred.filter((p) => p === c).length;
    const ap = truth.filter((t) => t === c).length;
    return { precision: pp ? tp / pp : 0, recall: ap ? tp / ap : 0, f1: (2 * tp) / (pp + ap) };
  });
  const mean = (k: "precision" | "recall" | "f1") => per.reduce((a, x) => a + x[k], 0) / per.length;
  let num = 0;
  let pn = 0;
  score.forEach((si, i) => {
    if (truth[i] !== "1") return;
    score.forEach((sj, j) => {
      if (truth[j] === "1") return;
      pn++;
      num += si > sj ? 1 : si === sj ? 0.5 : 0;
    });
  });
  return {
    accuracy: pred.filter((p, i) => p === truth[i]).length / pred.length,
    precision: mean("precision"),
    recall: mean("recall"),
    f1: mean("f1"),
    auc: num / pn,
  };
}

const drift = (args: string[]) => {
  const r = infermon(args);
  return { ...r, report: r.stdout ? (JSON.parse(r.stdout) as DriftReport) : undefined };
};

// each drift of the example credit model relearns its auto thresholds at the file's size (bootstrap)
describe("infermon drift with a target column", { timeout: 120_000 }, () => {
  it("reports realized quality equal to scikit-learn's, the estimate beside it, and passes the gate", () => {
    const file = "examples/data/credit-current-drifted.csv";
    const r = drift(creditDriftArgs(file, "--fail-on", "warning"));
    const q = r.report?.quality;
    const rows = csvRows(file);
    const want = sklearn(
      rows.map((x) => (Number(x.probability) >= 0.5 ? "1" : "0")),
      rows.map((x) => x.label as string),
      rows.map((x) => Number(x.probability)),
    );
    const got = q?.realized as ClassificationQuality;
    expect(q?.rows).toEqual({ predictions: 1000, labelled: 1000, invalid_target: 0 });
    expect(got.accuracy).toBeCloseTo(want.accuracy, 12);
    expect(got.precision).toBeCloseTo(want.precision, 12);
    expect(got.recall).toBeCloseTo(want.recall, 12);
    expect(got.f1).toBeCloseTo(want.f1, 12);
    // exact in batch: every score kept and sorted
    expect(got.roc_auc).toBeCloseTo(want.auc, 12);
    expect(got.roc_auc_bound).toBe(0);
    expect(got.stderr.accuracy).toBeCloseTo(Math.sqrt((want.accuracy * (1 - want.accuracy)) / 1000), 12);
    // the estimate from the scores alone, within its sampling error of the realized values
    const est = q?.estimated as ClassificationQuality;
    expect(Math.abs(est.accuracy - want.accuracy)).toBeLessThan(3 * est.stderr.accuracy);
    expect(Math.abs((est.roc_auc as number) - want.auc)).toBeLessThan(3 * (est.stderr.roc_auc as number));
    expect(q?.estimation_error?.accuracy).toBeCloseTo(est.accuracy - want.accuracy, 12);
    // 0.95 accurate, above quality.accuracy's warning 0.9: the quality passes, drift decides the exit
    expect(q?.status).toBe("ok");
    expect(r.report?.features.some((f) => f.status === "critical")).toBe(true);
    expect(r.code).toBe(1);
  });

  it("fails --fail-on at the quality level when accuracy falls below quality.accuracy", () => {
    // the example's undrifted rows with every other label flipped: ~50 % accurate (critical 0.85)
    const rows = readFileSync("examples/data/credit-current-ok.csv", "utf8").trim().split("\n");
    const flipped = [
      rows[0],
      ...rows
        .slice(1)
        .map((l, i) => (i % 2 === 0 ? l.replace(/,([01])$/, (_, y) => `,${y === "1" ? 0 : 1}`) : l)),
    ].join("\n");
    const file = at("flipped.csv", `${flipped}\n`);
    const warn = drift(creditDriftArgs(file, "--fail-on", "critical"));
    expect(warn.report?.quality?.status).toBe("critical");
    expect(warn.report?.quality?.reason).toBe("accuracy");
    expect(warn.report?.status).toBe("critical");
    expect(warn.code).toBe(1);
    const table = infermon(creditDriftArgs(file, "--format", "table"));
    expect(table.stdout).toMatch(/realized {3}accuracy 0\.\d{4} ± 0\.\d{4}/);
    expect(table.stdout).toContain("quality critical (accuracy)");
  });

  it("without the target column: the estimate alone, judged at the same levels", () => {
    const rows = readFileSync("examples/data/credit-current-ok.csv", "utf8").trim().split("\n");
    const file = at("no-label.csv", `${rows.map((l) => l.split(",").slice(0, 5).join(",")).join("\n")}\n`);
    const r = drift(creditDriftArgs(file));
    const q = r.report?.quality;
    expect(q?.realized).toBeUndefined();
    expect(q?.rows.labelled).toBe(0);
    expect(q?.estimated?.accuracy).toBeGreaterThan(0.9);
    expect(q?.status).toBe("ok");
    expect(r.code, r.stderr).toBe(0);
  });

  it("regression: MAE and RMSE equal numpy's on the rows with a target", () => {
    const file = "examples/data/house-price-current.jsonl";
    const r = drift([
      "drift",
      "-c",
      "examples/infermon.yaml",
      "-m",
      "house-price",
      "--reference",
      "examples/reference/house-price.json",
      "--current",
      file,
    ]);
    const rows = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { price: number; label: number });
    const e = rows.map((x) => x.price - x.label);
    const got = r.report?.quality?.realized as RegressionQuality;
    expect(got.mae).toBeCloseTo(e.reduce((a, x) => a + Math.abs(x), 0) / e.length, 6);
    expect(got.rmse).toBeCloseTo(Math.sqrt(e.reduce((a, x) => a + x * x, 0) / e.length), 6);
    expect(r.report?.quality?.status).toBe("ok");
  });

  it("multiclass: probabilities as JSONL lists, calibrated by baseline, realized and estimated by drift", () => {
    const cfg = at(
      "iris.yaml",
      `models:
  - name: iris
    task: multiclass_classification
    features: [{name: x, type: numeric}]
    prediction: {output: proba, classes: [a, b, c], score_bins: 20}
    labels: {target: species}
    quality: {accuracy: {warning: 0.5, critical: 0.3}}
    min_samples: 50
`,
    );
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const rows = (n: number) =>
      Array.from({ length: n }, () => {
        const z = [rand() * 3, rand() * 3, rand() * 3];
        const t = z.map(Math.exp);
        const s = t.reduce((a, b) => a + b, 0);
        const p = t.map((x) => Number((x / s).toFixed(4)));
        let u = rand();
        let y = 2;
        for (let k = 0; k < 3; k++) {
          u -= p[k] as number;
          if (u <= 0) {
            y = k;
            break;
          }
        }
        return { x: rand(), proba: p, species: ["a", "b", "c"][y] };
      });
    const train = at(
      "train.jsonl",
      `${rows(3000)
        .map((r) => JSON.stringify(r))
        .join("\n")}\n`,
    );
    const current = rows(800);
    const cur = at("current.jsonl", `${current.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const b = infermon(["baseline", "-c", cfg, "-m", "iris", "--data", train, "-o", at("iris.json")]);
    expect(b.code, b.stderr).toBe(0);
    const profile = JSON.parse(readFileSync(at("iris.json"), "utf8"));
    expect(profile.scores.classes.map((c: { class: string }) => c.class)).toEqual(["a", "b", "c"]);
    expect(profile.scores.labelled).toBe(3000);
    const r = drift(["drift", "-c", cfg, "-m", "iris", "--reference", at("iris.json"), "--current", cur]);
    expect(r.code, r.stderr).toBe(0);
    const pred = current.map((x) => ["a", "b", "c"][x.proba.indexOf(Math.max(...x.proba))] as string);
    const truth = current.map((x) => x.species as string);
    const q = r.report?.quality;
    const got = q?.realized as ClassificationQuality;
    const acc = pred.filter((p, i) => p === truth[i]).length / pred.length;
    expect(got.accuracy).toBeCloseTo(acc, 12);
    // one-vs-rest per class, exact
    for (const [k, c] of ["a", "b", "c"].entries()) {
      const want = sklearn(
        pred,
        truth.map((t) => (t === c ? "1" : "0")),
        current.map((x) => x.proba[k] as number),
      ).auc;
      expect(got.classes[c]?.roc_auc).toBeCloseTo(want, 12);
    }
    const est = q?.estimated as ClassificationQuality;
    expect(Math.abs(est.accuracy - acc)).toBeLessThan(3 * est.stderr.accuracy);
  });
});
