// Builds a profile's `scores` section (scoreProfile.ts) from reference rows: pass one samples each
// scored class's scores for its quantile edges (a seeded reservoir: the same file gives the same
// profile); pass two counts every row into the bins — scored rows, rows predicted as the class,
// and with a readable target the positives — and the calibration is fitted per bin
// (calibration.ts). Reads predictions and targets as the agent reads predictions and labels.
import type { ModelConfig } from "../config/model.js";
import { LabelValues } from "../labels/labelValues.js";
import { type PredictionReader, predictionReader } from "../monitor/predictionReading.js";
import { numericBinIndex } from "../stats/binning.js";
import { isotonicBins } from "../stats/calibration.js";
import { finiteNumber } from "../stats/finiteNumber.js";
import { quantileEdges } from "../stats/quantiles.js";
import { Reservoir } from "../stats/reservoir.js";
import type { ProfileScores, ScoreClassProfile } from "../stats/scoreProfile.js";
import type { ScoresSummary } from "./scoresPass.js";

/** Scores per class kept for the edges; exact below this many rows. */
const SAMPLE = 1 << 18;

interface ClassAcc {
  cls: string;
  classIndex: number;
  sample: Reservoir;
  edges: Float64Array;
  counts: number[];
  predicted: number[];
  positives: number[];
  predictedPositives: number[];
  /** rows with a readable target, per bin (the calibration's denominators) */
  labelled: number[];
}

export class ScoreProfileBuilder {
  private readonly read: PredictionReader;
  private readonly values: LabelValues;
  private readonly binary: boolean;
  private readonly acc: ClassAcc[];
  private readonly out: Int32Array;
  /** rows counted with a score, with a readable target, and with a target that could not be read */
  scored = 0;
  labelled = 0;
  unreadableTargets = 0;

  constructor(
    private readonly model: ModelConfig,
    /** the target column is configured: count positives and fit the calibration */
    private readonly withTargets: boolean,
  ) {
    this.read = predictionReader(model);
    this.values = new LabelValues(model);
    this.binary = model.task === "binary_classification";
    const classes = this.values.classes;
    // nothing to score without a prediction (prediction: false) or for regression
    const scored =
      model.task === "regression" || !model.prediction.monitored
        ? []
        : this.binary
          ? [1]
          : classes.map((_, i) => i);
    this.acc = scored.map((i) => ({
      cls: classes[i] as string,
      classIndex: i,
      sample: new Reservoir(SAMPLE),
      edges: new Float64Array(0),
      counts: [],
      predicted: [],
      positives: [],
      predictedPositives: [],
      labelled: [],
    }));
    this.out = new Int32Array(this.acc.length);
  }

  /** Whether the model scores classes at all (classification with classes). */
  get active(): boolean {
    return this.acc.length > 0;
  }

  private scores(raw: unknown): {
    score?: number | undefined;
    probs?: readonly unknown[] | undefined;
    cls?: string | undefined;
  } {
    return raw === undefined || raw === null ? {} : this.read(raw);
  }

  /** Pass one: a row's prediction. */
  observe(prediction: unknown): void {
    const p = this.scores(prediction);
    this.eachScore(p, (a, s) => a.sample.add(s));
  }

  /**
   * Between the passes: the bins of each class (binary: split at the threshold), from pass one, or
   * `from` a profile's (baseline --bins-from: no pass one).
   */
  fixBins(from?: ProfileScores): void {
    this.acc.forEach((a, e) => {
      const given = from?.classes[e]?.edges;
      const edges = new Set(given ?? quantileEdges(a.sample.sample(), this.model.prediction.scoreBins));
      if (this.binary) edges.add(this.model.prediction.threshold);
      a.edges = Float64Array.from([...edges].sort((x, y) => x - y));
      const n = a.edges.length + 1;
      a.counts = new Array(n).fill(0);
      a.predicted = new Array(n).fill(0);
      a.positives = new Array(n).fill(0);
      a.predictedPositives = new Array(n).fill(0);
      a.labelled = new Array(n).fill(0);
    });
  }

  /** Pass two: a row's prediction and (with targets) its target. */
  count(prediction: unknown, target: unknown): void {
    const p = this.scores(prediction);
    let scored = false;
    const out = this.out;
    out.fill(-1);
    this.eachScore(p, (a, s, e) => {
      out[e] = numericBinIndex(a.edges, s);
      scored = true;
    });
    if (!scored) return;
    this.scored++;
    const predicted = p.cls === undefined ? -1 : this.values.classes.indexOf(p.cls);
    let actual = -1;
    if (this.withTargets) {
      const t =
        target === null || target === undefined || target === "" ? undefined : this.values.label(target);
      if (t === undefined) this.unreadableTargets++;
      else {
        actual = t;
        this.labelled++;
      }
    }
    this.acc.forEach((a, e) => {
      const b = out[e] as number;
      if (b < 0) return;
      a.counts[b]! += 1;
      const isPredicted = predicted === a.classIndex;
      if (isPredicted) a.predicted[b]! += 1;
      if (actual >= 0) a.labelled[b]! += 1;
      if (actual === a.classIndex) {
        a.positives[b]! += 1;
        if (isPredicted) a.predictedPositives[b]! += 1;
      }
    });
  }

  /** What was read (undefined when the model scores no class). */
  summary(): ScoresSummary | undefined {
    if (!this.active) return undefined;
    return {
      scores: this.build(),
      scored: this.scored,
      labelled: this.labelled,
      unreadableTargets: this.unreadableTargets,
    };
  }

  /** The section; undefined when no row had a score. */
  build(): ProfileScores | undefined {
    if (this.scored === 0) return undefined;
    const targets = this.withTargets && this.labelled > 0;
    const classes = this.acc.map((a): ScoreClassProfile => {
      const c: ScoreClassProfile = { class: a.cls, edges: Array.from(a.edges), counts: a.counts };
      if (!this.binary) c.predicted = a.predicted;
      if (targets) {
        c.labelled = a.labelled;
        c.positives = a.positives;
        if (!this.binary) c.predicted_positives = a.predictedPositives;
        // the calibration of the labelled rows: a bin's rate is positives over labelled rows in it
        c.calibrated = isotonicBins(a.positives, a.labelled);
      }
      return c;
    });
    const s: ProfileScores = { bins: this.model.prediction.scoreBins, classes };
    if (this.binary) s.threshold = this.model.prediction.threshold;
    if (targets && this.model.labels.target) {
      s.target = this.model.labels.target;
      s.labelled = this.labelled;
    }
    return s;
  }

  private eachScore(
    p: { score?: number | undefined; probs?: readonly unknown[] | undefined },
    f: (a: ClassAcc, s: number, e: number) => void,
  ): void {
    this.acc.forEach((a, e) => {
      const s = this.binary ? p.score : finiteNumber(p.probs?.[a.classIndex]);
      if (s !== undefined) f(a, s, e);
    });
  }
}
