// `infermon baseline --bins-from seed.json`: count a data path into the bins of an existing profile,
// so profiles of different parts of the data (days, partitions) can be merged.
import type { ModelConfig } from "../config/model.js";
import { BinLayout } from "../stats/binLayout.js";
import { type Profile, ProfileError, type ProfileSlot } from "../stats/profile.js";
import { RowCounter } from "../stats/rowCounter.js";
import type { BaselineResult } from "./baseline.js";
import type { BatchOptions } from "./batchOptions.js";
import { DataFileError } from "./dataFile.js";
import { Engine } from "./duckdbEngine.js";
import { progress } from "./progress.js";
import { DataReader } from "./reader.js";
import { requireTarget, type ScoresSummary, scoresPass } from "./scoresPass.js";

export async function countIntoProfile(
  model: ModelConfig,
  seed: Profile,
  path: string,
  opts: BatchOptions = {},
): Promise<BaselineResult> {
  if (seed.model !== model.name)
    throw new ProfileError(`--bins-from: profile is for model "${seed.model}", not "${model.name}"`);
  const layout = BinLayout.fromProfile(seed, model);
  const counter = new RowCounter(layout);
  const engine = await Engine.open(opts);
  let skipped = 0;
  let scores: ScoresSummary | undefined;
  try {
    const reader = await DataReader.open(
      engine,
      path,
      opts.formatIn,
      layout.slots.map((s) => s.name),
    );
    const p = progress(`${path}: counts`);
    skipped = await reader.scan(
      layout.slots.map((s) => ({ name: s.name, numeric: s.bins.type === "numeric" })),
      (b) => counter.addColumns(b),
      { strict: opts.strict ?? false, ...(opts.onSkip && { onSkip: opts.onSkip }), onProgress: p.update },
    );
    p.done();
    // the seed's score bins, counted again from this data (never the seed's counts)
    if (seed.scores) {
      requireTarget(model, reader);
      scores = await scoresPass(
        model,
        reader,
        async (what, scan) => {
          const q = progress(`${path}: ${what}`);
          const n = await scan(q.update);
          q.done();
          return n;
        },
        seed.scores,
      );
    }
  } finally {
    engine.close();
  }
  if (counter.rows === 0) throw new DataFileError(`${path}: no data rows`);
  const slot = (ps: ProfileSlot, s: number): ProfileSlot => {
    const sl = layout.slots[s] as (typeof layout.slots)[number];
    const { min: _min, max: _max, ...rest } = ps as ProfileSlot & { min?: number; max?: number };
    return {
      ...rest,
      counts: Array.from(counter.counts.subarray(sl.offset, sl.offset + sl.bins.size)),
      missing: counter.missing[s] as number,
      invalid: counter.invalid[s] as number,
    } as ProfileSlot;
  };
  const byName = new Map(seed.features.map((f) => [f.name, f]));
  const features = model.features.map((f, s) => slot(byName.get(f.name) as ProfileSlot, s));
  // the seed's learned thresholds were drawn from its own counts: baseline learns them again
  const { thresholds: _stale, scores: _seedScores, ...head } = seed;
  const profile: Profile = { ...head, rows: counter.rows, features };
  if (seed.prediction) profile.prediction = slot(seed.prediction, layout.predictionSlot);
  if (scores?.scores) profile.scores = scores.scores;
  const empty = features.filter((f) => f.counts.every((c) => c === 0)).map((f) => f.name);
  return { profile, skipped, empty, scores };
}
