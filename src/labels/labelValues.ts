// How a model reads a prediction and a label as the numbers the join store holds: a class index
// (classification; classes from config, bounded) or a value (regression). Decided per model once.
import type { ModelConfig } from "../config/model.js";

/** Distinct classes learned when a multiclass model configures none (accuracy only); more are invalid. */
export const MAX_LEARNED_CLASSES = 1000;

export class LabelValues {
  readonly regression: boolean;
  /** configured classes (binary defaults to ["0", "1"]); empty when a multiclass model gives none */
  readonly classes: readonly string[];
  private readonly index = new Map<string, number>();
  private readonly learned: boolean;

  constructor(model: ModelConfig) {
    this.regression = model.task === "regression";
    const configured = model.prediction.classes;
    this.classes = this.regression
      ? []
      : (configured ?? (model.task === "binary_classification" ? ["0", "1"] : []));
    this.classes.forEach((c, i) => {
      this.index.set(c, i);
    });
    this.learned = !this.regression && this.classes.length === 0;
  }

  /** The predicted class (as the monitor read it) or value; undefined when there is none. */
  prediction(cls: string | undefined, score: number | undefined): number | undefined {
    if (this.regression) return score;
    return cls === undefined ? undefined : this.classIndex(cls);
  }

  /** The label as a class index or a value; undefined when it is of the wrong type or class. */
  label(raw: unknown): number | undefined {
    if (this.regression) return typeof raw === "number" && Number.isFinite(raw) ? raw : undefined;
    if (typeof raw === "string") return this.classIndex(raw);
    if (typeof raw === "boolean" && this.classes.length === 2) return raw ? 1 : 0;
    if (typeof raw === "number" && Number.isFinite(raw)) {
      const byName = this.classIndex(String(raw));
      if (byName !== undefined) return byName;
      // a class given by its position, as OIP outputs are read
      if (Number.isInteger(raw) && raw >= 0 && raw < this.classes.length) return raw;
    }
    return undefined;
  }

  private classIndex(name: string): number | undefined {
    const i = this.index.get(name);
    if (i !== undefined || !this.learned) return i;
    if (this.index.size >= MAX_LEARNED_CLASSES) return undefined;
    const n = this.index.size;
    this.index.set(name, n);
    return n;
  }
}
