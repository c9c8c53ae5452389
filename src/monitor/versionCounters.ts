// The counters one model's events are counted in, bound once per model_version so counting is a
// method call, not a label lookup: bin observations, missing/invalid/unseen values, prediction
// scores or values, and classes. Versions and classes come from traffic: both are capped.
import type { ModelConfig } from "../config/model.js";
import { CappedLabel, fitsLabel, OTHER } from "../export/labelValues.js";
import type { AgentMetrics } from "../export/metrics.js";
import type { BinLayout, Slot } from "../stats/binLayout.js";

export interface Inc {
  inc(n?: number): void;
}
export interface Obs {
  observe(v: number): void;
}

/** Label-bound counters of one model version. */
export interface VersionChildren {
  label: string;
  bins: Inc[];
  missing: Inc[];
  invalid: Inc[];
  unseen: Inc[];
  score: Obs;
  value: Obs;
  classes: Map<string, Inc>;
  /** per feature: the failed-request counters by quality (FAILED_QUALITIES order), bound on first use */
  failed: Inc[][] | undefined;
}

const NO_OBS: Obs = Object.freeze({ observe() {} });

/** Distinct model_version label values kept per model; more share the label "other". */
const MAX_VERSIONS = 16;
/** Distinct class labels kept per model when `prediction.classes` is not configured. */
const MAX_CLASSES = 100;

export class VersionCounters {
  private readonly versions = new Map<string, VersionChildren>();
  private otherVersion: VersionChildren | undefined;
  private readonly regression: boolean;
  /** class label from a predicted class: the configured classes, else the first MAX_CLASSES seen */
  readonly classLabel: (cls: string) => string;

  constructor(
    private readonly model: ModelConfig,
    private readonly layout: BinLayout | undefined,
    private readonly metrics: AgentMetrics,
  ) {
    this.regression = model.task === "regression";
    const classes = model.prediction.classes;
    if (classes) {
      const known = new Set(classes);
      this.classLabel = (c) => (known.has(c) ? c : OTHER);
    } else {
      const cap = new CappedLabel(MAX_CLASSES);
      this.classLabel = (c) => cap.of(c);
    }
  }

  /** The counters of `version`, bound on first use. */
  of(version: string): VersionChildren {
    const v = this.versions.get(version);
    if (v) return v;
    if (this.versions.size < MAX_VERSIONS && fitsLabel(version)) {
      const bound = this.bind(version);
      this.versions.set(version, bound);
      return bound;
    }
    // later (or over-long) versions share "other", and are not remembered one by one (memory stays
    // bounded too)
    let other = this.otherVersion;
    if (!other) other = this.otherVersion = this.bind(OTHER);
    return other;
  }

  classCounter(v: VersionChildren, cls: string): Inc {
    // bounded: a model emitting free-form labels must not grow the series without end; the map is
    // keyed by the label, so it stays as small as the series
    const label = this.classLabel(cls);
    let c = v.classes.get(label);
    if (!c) {
      c = this.metrics.predictions.labels({ model: this.model.name, model_version: v.label, class: label });
      v.classes.set(label, c);
    }
    return c;
  }

  private bind(version: string): VersionChildren {
    const m = this.metrics;
    const base = { model: this.model.name, model_version: version };
    const bins: Inc[] = [];
    const missing: Inc[] = [];
    const invalid: Inc[] = [];
    const unseen: Inc[] = [];
    const layout = this.layout;
    if (layout) {
      for (let s = 0; s < layout.featureCount; s++) {
        const slot = layout.slots[s] as Slot;
        const f = { ...base, feature: slot.name };
        slot.labels.forEach((bin, i) => {
          bins[slot.offset + i] = m.binObservations.labels({ ...f, bin });
        });
        missing[s] = m.featureMissing.labels(f);
        invalid[s] = m.featureInvalid.labels(f);
        // only a categorical feature can have an unseen category: no series for numeric ones
        if (slot.bins.type === "categorical") unseen[s] = m.featureUnseen.labels(f);
      }
    }
    const classes = new Map<string, Inc>();
    for (const c of this.model.prediction.classes ?? [])
      classes.set(c, m.predictions.labels({ ...base, class: c }));
    return {
      label: version,
      bins,
      missing,
      invalid,
      unseen,
      score: this.regression ? NO_OBS : m.predictionScore.labels(base),
      value: this.regression ? m.predictionValue.labels(base) : NO_OBS,
      classes,
      failed: undefined,
    };
  }
}
