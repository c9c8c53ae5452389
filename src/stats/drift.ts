import type { Level, Levels, ModelConfig, Smoothing, Statistic, StatLevels } from "../config/model.js";
import { longestTimeWindow } from "../config/window.js";
import { jsDistance } from "./jsDistance.js";
import { klDivergence } from "./klDivergence.js";
import { psi } from "./psi.js";
import { sampleSizeLevels } from "./sampleSizeLevels.js";
import { proportions, smoothedProportions } from "./smoothing.js";

export interface DriftValues {
  psi: number;
  kl: number;
  js: number;
}

/** PSI, KL and JS of current counts against reference counts over the same bins. */
export function driftValues(
  current: ArrayLike<number>,
  reference: ArrayLike<number>,
  smoothing: Smoothing,
): DriftValues {
  if (current.length !== reference.length) {
    throw new RangeError(`bin counts differ: current ${current.length}, reference ${reference.length}`);
  }
  const p = smoothedProportions(current, smoothing);
  const q = smoothedProportions(reference, smoothing);
  return {
    psi: psi(p, q),
    kl: klDivergence(p, q),
    js: jsDistance(proportions(current), proportions(reference)),
  };
}

const RANK: Record<Level, number> = { ok: 0, warning: 1, critical: 2 };

/** The level a value reaches: critical at or above `critical`, warning at or above `warning`. */
export function levelOf(value: number, levels: Levels): Level {
  if (value >= levels.critical) return "critical";
  if (value >= levels.warning) return "warning";
  return "ok";
}

/**
 * The level a data-quality share (missing, invalid or unseen values per row or event) reaches:
 * strictly above a threshold, so 0 means "any" and the alert rules compare with `>` alike.
 */
export function shareLevel(share: number, levels: Levels): Level {
  if (share > levels.critical) return "critical";
  if (share > levels.warning) return "warning";
  return "ok";
}

export function worstLevel(levels: Iterable<Level>): Level {
  let worst: Level = "ok";
  for (const l of levels) if (RANK[l] > RANK[worst]) worst = l;
  return worst;
}

export function levelReached(level: Level, threshold: Level): boolean {
  return RANK[level] >= RANK[threshold];
}

/** Where the levels a slot is judged by come from (docs/adr/0014-sample-size-levels.md). */
export type LevelSource = "fixed" | "learned" | "sample_size";

/** The levels in force for one slot: the statistic that sets its status, its levels and their source. */
export interface LevelsInForce {
  statistic: Statistic;
  source: LevelSource;
  warning: number;
  critical: number;
  /** current observations the levels are for */
  n: number;
}

/** The learned levels of a slot: those of the model's longest window (the one the alerts read). */
function learnedOf(model: ModelConfig, name: string): StatLevels | undefined {
  const learned = model.drift.learned;
  if (!model.drift.learn || !learned) return undefined;
  return learned[longestTimeWindow(model.windows).name]?.[name];
}

/**
 * The levels a feature (or PREDICTION_KEY) with `n` current observations against `reference`
 * counts is judged by: configured fixed levels of the model's statistic; else levels learned by
 * bootstrap; else the null quantiles at its sample size.
 */
export function levelsInForce(
  model: ModelConfig,
  name: string,
  n: number,
  reference: ArrayLike<number>,
): LevelsInForce {
  const statistic = model.drift.statistic;
  const fixed = model.drift.fixed[statistic];
  if (fixed) return { statistic, source: "fixed", ...fixed, n };
  const learned = learnedOf(model, name)?.[statistic];
  if (learned) return { statistic, source: "learned", ...learned, n };
  return { statistic, source: "sample_size", ...sampleSizeLevels(statistic, n, reference), n };
}
