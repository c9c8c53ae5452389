// Reading each model's reference profile at startup. Any failure is thrown, so the agent refuses to
// start rather than run half-configured.
import { readFileSync } from "node:fs";
import type { ModelConfig } from "../config/model.js";
import { BinLayout } from "../stats/binLayout.js";
import { learnedLevels } from "../stats/learnedThresholds.js";
import { ProfileError, parseProfile } from "../stats/profile.js";

/** The bin layout of `model` from its reference profile; undefined when it has none configured. */
export function loadLayout(model: ModelConfig): BinLayout | undefined {
  if (!model.reference) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(model.reference, "utf8"));
  } catch (err) {
    throw new ProfileError(
      `model "${model.name}": cannot read reference profile ${model.reference}: ${(err as Error).message}`,
    );
  }
  try {
    const profile = parseProfile(json);
    // the generated rules judge with the profile's learned levels: refuse one that does not match
    if (model.drift.learn) learnedLevels(model, profile, model.reference);
    return BinLayout.fromProfile(profile, model);
  } catch (err) {
    throw new ProfileError(
      `model "${model.name}": reference profile ${model.reference}: ${(err as Error).message}`,
    );
  }
}
