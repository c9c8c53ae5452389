import type { Level, Levels, ModelConfig, Smoothing, StatLevels } from "../config/model.js";
import { longestTimeWindow } from "../config/window.js";
import { jsDistance } from "./jsDistance.js";
import { klDivergence } from "./klDivergence.js";
import { psi } from "./psi.js";
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

/** Worst level of the three statistics against their thresholds. */
export function driftLevel(v: DriftValues, t: { psi: Levels; kl: Levels; js: Levels }): Level {
  return worstLevel([levelOf(v.psi, t.psi), levelOf(v.kl, t.kl), levelOf(v.js, t.js)]);
}

/**
 * The levels a feature (or PREDICTION_KEY) is judged by: with `thresholds: auto`, those learned
 * for the model's longest window (the one the alerts read); otherwise the configured ones.
 */
export function levelsFor(model: ModelConfig, name: string): StatLevels {
  if (!model.drift.auto || !model.drift.learned) return model.drift.thresholds;
  const longest = longestTimeWindow(model.windows);
  return model.drift.learned[longest.name]?.[name] ?? model.drift.thresholds;
}
