// Profiles are counts over fixed bins, so profiles of parts of a data set (days, partitions, a
// Spark job's tasks) with the same bins add up to the profile of the whole: `infermon profile merge`.
import { type Profile, ProfileError, type ProfileSlot } from "./profile.js";
import { mergeScores } from "./scoreProfile.js";
import { OTHER_VALUES_CAP } from "./slotCounters.js";

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The bins of a slot: what two profiles must share to be added. */
function binsOf(s: ProfileSlot): unknown {
  return s.type === "numeric"
    ? { type: s.type, layout: s.layout, edges: s.edges, values: s.values }
    : { type: s.type, categories: s.categories };
}

function mergeSlot(a: ProfileSlot, b: ProfileSlot, where: string): ProfileSlot {
  if (a.name !== b.name)
    throw new ProfileError(`${where}: "${a.name}" and "${b.name}" (features in another order)`);
  if (!same(binsOf(a), binsOf(b)))
    throw new ProfileError(
      `${where} "${a.name}": the profiles have different bins; merge profiles counted into the same bins (baseline --bins-from)`,
    );
  const counts = a.counts.map((c, i) => c + (b.counts[i] as number));
  const out = { ...a, counts, missing: a.missing + b.missing, invalid: a.invalid + b.invalid };
  if (out.type === "numeric" && b.type === "numeric") {
    if (out.min !== undefined && b.min !== undefined && out.max !== undefined && b.max !== undefined) {
      out.min = Math.min(out.min, b.min);
      out.max = Math.max(out.max, b.max);
    } else if (b.min !== undefined && b.max !== undefined) Object.assign(out, { min: b.min, max: b.max });
  }
  if (out.type === "categorical" && b.type === "categorical" && (out.other_values || b.other_values)) {
    const all = [...new Set([...(out.other_values ?? []), ...(b.other_values ?? [])])].sort();
    out.other_values = all.slice(0, OTHER_VALUES_CAP);
  }
  return out;
}

/** The sum of profiles of one model with the same bins. Throws ProfileError naming what differs. */
export function mergeProfiles(profiles: readonly Profile[]): Profile {
  const [first, ...rest] = profiles;
  if (!first) throw new ProfileError("no profiles to merge");
  let acc: Profile = structuredClone(first);
  // learned thresholds belong to one profile's counts, not the sum: the reader learns them again
  if (rest.length > 0) delete acc.thresholds;
  rest.forEach((p, k) => {
    const where = `profile ${k + 2}`;
    if (p.model !== acc.model)
      throw new ProfileError(`${where} is for model "${p.model}", the first for "${acc.model}"`);
    if (p.features.length !== acc.features.length)
      throw new ProfileError(`${where} has ${p.features.length} features, the first ${acc.features.length}`);
    const features = acc.features.map((f, i) =>
      mergeSlot(f, p.features[i] as ProfileSlot, `${where}: feature`),
    );
    let scores = acc.scores;
    if (scores && p.scores) scores = mergeScores(scores, p.scores, where);
    else if (scores || p.scores)
      throw new ProfileError(
        `${where}: only one of the profiles has scores (classes' score bins); rebuild both alike`,
      );
    let prediction = acc.prediction;
    if (prediction && p.prediction) prediction = mergeSlot(prediction, p.prediction, `${where}: prediction`);
    else if (p.prediction) prediction = structuredClone(p.prediction);
    acc = {
      ...acc,
      model_version: acc.model_version === p.model_version ? acc.model_version : "mixed",
      rows: acc.rows + p.rows,
      features,
      ...(prediction && { prediction }),
      ...(scores && { scores }),
    };
  });
  return acc;
}
