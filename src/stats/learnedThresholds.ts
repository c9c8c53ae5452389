// The `thresholds` section of a reference profile: drift levels learned by bootstrap
// (bootstrapThresholds.ts) per window and feature, with what they were learned for, so a profile
// built for another rate, window or smoothing is refused rather than silently used.
import {
  type LearnedLevels,
  type Levels,
  type ModelConfig,
  PREDICTION_KEY,
  type Smoothing,
  type StatLevels,
} from "../config/model.js";
import { type BootstrapOptions, bootstrapLevels, DEFAULT_BOOTSTRAP } from "./bootstrapThresholds.js";
import { type Profile, ProfileError, type ProfileSlot } from "./profile.js";

export interface ProfileThresholds {
  method: "bootstrap";
  /** requests per second the windows were sized for */
  expected_rate: number;
  resamples: number;
  percentiles: Levels;
  smoothing: Smoothing;
  /** window name → { events drawn per window, levels per feature (prediction under PREDICTION_KEY) } */
  windows: Record<string, { events: number; levels: Record<string, StatLevels> }>;
}

/**
 * Levels of every feature (and the prediction, under PREDICTION_KEY) for windows of `size` events
 * (or of `size(slot)` events per slot; a slot of size 0 learns nothing).
 */
export function learnForSize(
  model: ModelConfig,
  profile: Profile,
  size: number | ((slot: string) => number),
  o: Partial<Omit<BootstrapOptions, "smoothing">> = {},
): Record<string, StatLevels> {
  const opts: BootstrapOptions = { ...DEFAULT_BOOTSTRAP, ...o, smoothing: model.drift.smoothing };
  const slots: [string, ProfileSlot][] = profile.features.map((f) => [f.name, f]);
  if (profile.prediction) slots.push([PREDICTION_KEY, profile.prediction]);
  const levels: Record<string, StatLevels> = {};
  for (const [name, slot] of slots) {
    // a slot with no reference observations has undefined drift: nothing to learn
    const n = typeof size === "number" ? size : size(name);
    if (n >= 1 && slot.counts.some((c) => c > 0)) levels[name] = bootstrapLevels(slot.counts, n, opts);
  }
  return levels;
}

/** Learn the levels of every feature (and the prediction) for every configured window. */
export function learnThresholds(
  model: ModelConfig,
  profile: Profile,
  o: Partial<Omit<BootstrapOptions, "smoothing">> = {},
): ProfileThresholds {
  const rate = model.drift.expectedRate;
  if (rate === undefined) throw new RangeError(`model ${model.name}: drift.expected_rate is not set`);
  const opts: BootstrapOptions = { ...DEFAULT_BOOTSTRAP, ...o, smoothing: model.drift.smoothing };
  const windows: ProfileThresholds["windows"] = {};
  for (const w of model.windows) {
    // a count window holds exactly its count; a time window what the expected rate fills it with
    const events = w.kind === "events" ? w.events : Math.max(1, Math.round((rate * w.ms) / 1000));
    windows[w.name] = { events, levels: learnForSize(model, profile, events, opts) };
  }
  return {
    method: "bootstrap",
    expected_rate: rate,
    resamples: opts.resamples,
    percentiles: opts.percentiles,
    smoothing: opts.smoothing,
    windows,
  };
}

const isObj = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);
const isLevels = (x: unknown): x is Levels =>
  isObj(x) && typeof x.warning === "number" && typeof x.critical === "number";
const isStatLevels = (x: unknown): x is StatLevels =>
  isObj(x) && isLevels(x.psi) && isLevels(x.kl) && isLevels(x.js);

/** Check the shape of a profile's `thresholds`; throws ProfileError naming what is wrong. */
export function parseThresholds(x: unknown): ProfileThresholds {
  if (!isObj(x) || x.method !== "bootstrap" || typeof x.expected_rate !== "number" || !isObj(x.windows))
    throw new ProfileError("thresholds: expected {method: bootstrap, expected_rate, windows}");
  for (const [w, v] of Object.entries(x.windows)) {
    if (!isObj(v) || typeof v.events !== "number" || !isObj(v.levels))
      throw new ProfileError(`thresholds.windows.${w}: expected {events, levels}`);
    for (const [f, l] of Object.entries(v.levels))
      if (!isStatLevels(l))
        throw new ProfileError(`thresholds.windows.${w}.levels.${f}: expected psi, kl and js levels`);
  }
  return x as unknown as ProfileThresholds;
}

/**
 * The learned levels a model with `thresholds: auto` uses, checked against its configuration:
 * a profile learned for another expected rate, smoothing or set of windows is an error (rebuild
 * it with `infermon baseline`), never a silent mismatch.
 */
export function learnedLevels(model: ModelConfig, profile: Profile, source: string): LearnedLevels {
  const t = profile.thresholds;
  const rebuild = `rebuild it with \`infermon baseline -m ${model.name}\``;
  if (!t)
    throw new ProfileError(`${source}: has no learned drift levels (drift.expected_rate is set); ${rebuild}`);
  if (t.expected_rate !== model.drift.expectedRate)
    throw new ProfileError(
      `${source}: thresholds were learned for expected_rate ${t.expected_rate}, the configuration says ${model.drift.expectedRate}; ${rebuild}`,
    );
  if (JSON.stringify(t.smoothing) !== JSON.stringify(model.drift.smoothing))
    throw new ProfileError(`${source}: thresholds were learned with another smoothing; ${rebuild}`);
  const out: LearnedLevels = {};
  for (const w of model.windows) {
    const entry = t.windows[w.name];
    if (!entry) throw new ProfileError(`${source}: no thresholds for window ${w.name}; ${rebuild}`);
    out[w.name] = entry.levels;
  }
  return out;
}
