// Fills `drift.learned` of the models whose levels are learned by bootstrap (thresholds not fixed,
// expected_rate set) from their reference profiles, for the generator (levels per feature) and
// batch drift (levels per feature at the batch's own size).
import { readFileSync } from "node:fs";
import type { Config, ModelConfig } from "../config/model.js";
import { longestTimeWindow } from "../config/window.js";
import { learnedLevels, learnForSize, learnThresholds } from "../stats/learnedThresholds.js";
import { type Profile, ProfileError, parseProfile } from "../stats/profile.js";

/** `model` with the levels learned in `profile` (learned now, by bootstrap, when it has none). */
export function withProfileLevels(model: ModelConfig, profile: Profile, source: string): ModelConfig {
  if (!model.drift.learn) return model;
  const p = profile.thresholds ? profile : { ...profile, thresholds: learnThresholds(model, profile) };
  return { ...model, drift: { ...model.drift, learned: learnedLevels(model, p, source) } };
}

/**
 * `model` judged like the alerts but at the batch's own size: a feature with `n` current values
 * is one window of `n` events, so its levels are drawn by the same bootstrap at that size (the
 * profile's are for expected_rate × window, and would be too tight or too loose for a file).
 */
export function withBatchLevels(
  model: ModelConfig,
  profile: Profile,
  sizeOf: (slot: string) => number,
): ModelConfig {
  if (!model.drift.learn) return model;
  const longest = longestTimeWindow(model.windows);
  const learned = { [longest.name]: learnForSize(model, profile, sizeOf) };
  return { ...model, drift: { ...model.drift, learned } };
}

function readProfile(model: ModelConfig): Profile {
  if (!model.reference)
    throw new ProfileError(
      `model "${model.name}": learned drift levels (drift.expected_rate) need a reference profile (reference:)`,
    );
  try {
    return parseProfile(JSON.parse(readFileSync(model.reference, "utf8")));
  } catch (err) {
    throw new ProfileError(
      `model "${model.name}": reference profile ${model.reference}: ${(err as Error).message}`,
    );
  }
}

/** The config with every auto model's learned levels read from its profile (which must have them). */
export function withLearnedLevels(config: Config): Config {
  return {
    ...config,
    models: config.models.map((m) => {
      if (!m.drift.learn) return m;
      const profile = readProfile(m);
      if (!profile.thresholds)
        throw new ProfileError(
          `model "${m.name}": ${m.reference} has no learned drift levels (drift.expected_rate is set); rebuild it with \`infermon baseline -m ${m.name}\``,
        );
      return withProfileLevels(m, profile, m.reference as string);
    }),
  };
}
