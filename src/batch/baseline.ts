import type { ModelConfig } from "../config/model.js";
import type { Profile } from "../stats/profile.js";
import { ProfileBuilder } from "../stats/profileBuilder.js";
import type { BatchOptions } from "./batchOptions.js";
import { DataFileError } from "./dataFile.js";
import { Engine } from "./duckdbEngine.js";
import { progress } from "./progress.js";
import { DataReader } from "./reader.js";

export interface BaselineResult {
  profile: Profile;
  skipped: number;
}

/** Build a reference profile from a data path (file, glob or URL). */
export async function buildProfile(
  model: ModelConfig,
  path: string,
  opts: BatchOptions = {},
): Promise<BaselineResult> {
  const engine = await Engine.open(opts);
  try {
    return await buildProfileWith(engine, model, path, opts);
  } finally {
    engine.close();
  }
}

function requireFeatures(model: ModelConfig, reader: DataReader): void {
  for (const f of model.features) {
    const lacking = reader.filesWithout(f.name);
    if (lacking.length > 0)
      throw new DataFileError(
        `${lacking[0]}: no column "${f.name}" (a feature of model "${model.name}")` +
          (lacking.length > 1 ? `, nor in ${lacking.length - 1} more file(s)` : ""),
      );
  }
}

/**
 * Pass one counts categories and selects quantiles; exact edges of large data take one or two
 * more passes over the numeric features only; the last pass counts every row into the bins.
 */
export async function buildProfileWith(
  engine: Engine,
  model: ModelConfig,
  path: string,
  opts: BatchOptions = {},
): Promise<BaselineResult> {
  const reader = await DataReader.open(engine, path, opts.formatIn);
  if (reader.knowsColumns) requireFeatures(model, reader);
  const builder = new ProfileBuilder(model, opts.sample === undefined ? {} : { sample: opts.sample });
  const fields = builder.fields();
  let pass = 1;
  const run = async (what: string, scan: (p: (f: number) => void) => Promise<number>) => {
    const p = progress(`${path}: pass ${pass++} (${what})`);
    const t0 = Date.now();
    const n = await scan(p.update);
    p.done();
    if (process.env.INFERMON_DEBUG_PASSES)
      process.stderr.write(`pass ${pass - 1} ${what}: ${Date.now() - t0} ms\n`);
    return n;
  };
  const skipped = await run("categories, quantiles", (onProgress) =>
    reader.scan(fields, (b) => builder.observeColumns(b), {
      strict: opts.strict ?? false,
      ...(opts.onSkip && { onSkip: opts.onSkip }),
      onProgress,
    }),
  );
  if (!reader.knowsColumns) requireFeatures(model, reader);
  for (let r = builder.refining(); r.length > 0; r = builder.refining()) {
    const sub = r.map((i) => fields[i] as (typeof fields)[number]);
    await run("exact quantiles", (onProgress) =>
      reader.scan(sub, (b) => builder.refineColumns(b, r), { onProgress }),
    );
    builder.endRefinePass(r);
  }
  builder.fixBins();
  // malformed lines were reported by pass one
  await run("counts", (onProgress) => reader.scan(fields, (b) => builder.countColumns(b), { onProgress }));
  const profile = builder.build();
  if (profile.rows === 0) throw new DataFileError(`${path}: no data rows`);
  return { profile, skipped };
}
