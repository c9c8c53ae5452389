import type { ModelConfig } from "../config/model.js";
import type { Profile } from "../stats/profile.js";
import { ProfileBuilder } from "../stats/profileBuilder.js";
import { DataFileError, forEachRow, type ReadOptions } from "./dataFile.js";
import { progress } from "./progress.js";

export interface BaselineResult {
  profile: Profile;
  skipped: number;
  /** configured features (or the prediction) with no binned value: their drift is undefined */
  empty: string[];
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
  let columns: string[] | undefined;
  const p1 = progress(`${file}: pass 1/2`);
  await forEachRow(
    file,
    (row) => {
      columns ??= Object.keys(row);
      builder.observe(row);
    },
    {
      strict: opts.strict ?? false,
      onSkip: (s) => {
        skipped++;
        opts.onSkip?.(s);
      },
      onProgress: p1.update,
    },
  );
  p1.done();
  const absent = builder.absentFeatures();
  if (absent.length > 0 && columns !== undefined) {
    // a configured feature no row has: a renamed column, or values nested under an object
    const nested = columns.length > 0 ? ` (its columns or keys: ${columns.slice(0, 20).join(", ")})` : "";
    throw new DataFileError(
      `${file}: configured feature${absent.length > 1 ? "s" : ""} ${absent.map((a) => `"${a}"`).join(", ")} ${absent.length > 1 ? "are" : "is"} not in the data${nested}; data files are flat, one column or key per feature`,
    );
  }
  builder.fixBins();
  const p2 = progress(`${file}: pass 2/2`);
  // pass two skips the same lines again: only pass one reports them
  await forEachRow(file, (row) => builder.count(row), { onProgress: p2.update });
  p2.done();
  const profile = builder.build();
  if (profile.rows === 0) throw new DataFileError(`${file}: no data rows`);
  const empty = profile.features.filter((f) => f.counts.every((c) => c === 0)).map((f) => f.name);
  return { profile, skipped, empty };
}
