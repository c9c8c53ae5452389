import type { ModelConfig } from "../config/model.js";
import type { Profile } from "../stats/profile.js";
import { ProfileBuilder } from "../stats/profileBuilder.js";
import { DataFileError, forEachRow, type ReadOptions } from "./dataFile.js";
import { progress } from "./progress.js";

export interface BaselineResult {
  profile: Profile;
  skipped: number;
}

/** Build a reference profile from a data file in two streamed passes. */
export async function buildProfile(
  model: ModelConfig,
  file: string,
  opts: Pick<ReadOptions, "strict" | "onSkip"> & { reservoirSize?: number } = {},
): Promise<BaselineResult> {
  const builder = new ProfileBuilder(
    model,
    opts.reservoirSize === undefined ? {} : { reservoirSize: opts.reservoirSize },
  );
  let skipped = 0;
  const p1 = progress(`${file}: pass 1/2`);
  await forEachRow(file, (row) => builder.observe(row), {
    strict: opts.strict ?? false,
    onSkip: (s) => {
      skipped++;
      opts.onSkip?.(s);
    },
    onProgress: p1.update,
  });
  p1.done();
  builder.fixBins();
  const p2 = progress(`${file}: pass 2/2`);
  // pass two skips the same lines again: only pass one reports them
  await forEachRow(file, (row) => builder.count(row), { onProgress: p2.update });
  p2.done();
  const profile = builder.build();
  if (profile.rows === 0) throw new DataFileError(`${file}: no data rows`);
  return { profile, skipped };
}
