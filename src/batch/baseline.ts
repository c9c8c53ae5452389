import type { ModelConfig } from "../config/model.js";
import type { Profile } from "../stats/profile.js";
import { ProfileBuilder } from "../stats/profileBuilder.js";
import type { BatchOptions } from "./batchOptions.js";
import type { Field } from "./columnPlan.js";
import { DataFileError } from "./dataFile.js";
import { Engine } from "./duckdbEngine.js";
import { progress } from "./progress.js";
import { DataReader } from "./reader.js";
import { ScoreProfileBuilder } from "./scoreProfileBuilder.js";
import { requireTarget, type ScoresSummary, scoreFields } from "./scoresPass.js";

export interface BaselineResult {
  profile: Profile;
  skipped: number;
  /** configured features (or the prediction) with no binned value: their drift is undefined */
  empty: string[];
  /** classification: what the scores pass read (undefined for regression) */
  scores?: ScoresSummary | undefined;
}

/** Build a reference profile from a data path (file, glob or URL). */
export async function buildProfile(
  model: ModelConfig,
  path: string,
  opts: BatchOptions = {},
): Promise<BaselineResult> {
  if (opts.engine) return buildProfileWith(opts.engine, model, path, opts);
  const engine = await Engine.open(opts);
  try {
    return await buildProfileWith(engine, model, path, opts);
  } finally {
    engine.close();
  }
}

/**
 * A configured feature, or the prediction column, that no row has (a renamed column, or values
 * nested under an object): an error naming the file and the columns it has. The prediction column
 * is needed unless the config says the model has none (`prediction: false`).
 */
function requireColumns(model: ModelConfig, reader: DataReader): void {
  const byFile = new Map<string, string[]>();
  for (const f of model.features) {
    const file = reader.filesWithout(f.name)[0];
    if (file !== undefined) byFile.set(file, [...(byFile.get(file) ?? []), f.name]);
  }
  const columns = reader.columnNames();
  const listed =
    columns.length > 0
      ? ` (its columns or keys: ${columns.slice(0, 20).join(", ")}${columns.length > 20 ? ", …" : ""})`
      : "";
  const first = [...byFile.entries()][0];
  if (first) {
    const [file, absent] = first;
    throw new DataFileError(
      `${file}: configured feature${absent.length > 1 ? "s" : ""} ${absent.map((a) => `"${a}"`).join(", ")} ${absent.length > 1 ? "are" : "is"} not in the data${listed}; data files are flat, one column or key per feature`,
    );
  }
  const p = model.prediction;
  const file = p.monitored ? reader.filesWithout(p.output)[0] : undefined;
  if (file === undefined) return;
  // the default name too: a profile without its prediction would silently never judge prediction drift
  throw new DataFileError(
    `${file}: model "${model.name}": the prediction column "${p.output}" (prediction.output${p.outputConfigured ? "" : ", by default"}) is not in the data${listed}; name the column holding the model's predictions in prediction.output, or set prediction: false when the model has no prediction to monitor`,
  );
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
  const builder = new ProfileBuilder(model, opts.sample === undefined ? {} : { sample: opts.sample });
  const scores = new ScoreProfileBuilder(model, model.labels.target !== undefined);
  // the builder's fields (features, then the prediction: a list for multiclass scores), then the
  // target: the scores and their calibration are counted in the same passes
  const builderFields = builder.fields();
  const [prediction, target] = scoreFields(model);
  const p = builderFields.length - 1;
  const fields = [...builderFields.slice(0, p), prediction as Field, ...(target ? [target] : [])];
  const t = target ? p + 1 : -1;
  const reader = await DataReader.open(
    engine,
    path,
    opts.formatIn,
    fields.map((f) => f.name),
  );
  const check = () => {
    requireColumns(model, reader);
    requireTarget(model, reader);
  };
  if (reader.knowsColumns) check();
  let pass = 1;
  const run = async (what: string, scan: (p: (f: number) => void) => Promise<number>) => {
    const p = progress(`${path}: pass ${pass++} (${what})`);
    const n = await scan(p.update);
    p.done();
    return n;
  };
  const lines = { strict: opts.strict ?? false, ...(opts.onSkip && { onSkip: opts.onSkip }) };
  // text is parsed once (the engine writes it as Parquet to the temporary directory), not per pass
  const staged = reader.stageable
    ? await run("parse", (onProgress) => reader.stage(fields, { ...lines, onProgress }))
    : undefined;
  const skipped =
    (await run("categories, quantiles", (onProgress) =>
      reader.scan(
        fields,
        (b) => {
          builder.observeColumns(b);
          if (!scores.active) return;
          const col = b.columns[p];
          if (col) for (let r = 0; r < b.rows; r++) scores.observe(col[r]);
        },
        { ...(staged === undefined && lines), onProgress },
      ),
    )) + (staged ?? 0);
  if (!reader.knowsColumns) requireColumns(model, reader);
  for (let r = builder.refining(); r.length > 0; r = builder.refining()) {
    const sub = r.map((i) => fields[i] as (typeof fields)[number]);
    await run("exact quantiles", (onProgress) =>
      reader.scan(sub, (b) => builder.refineColumns(b, r), { onProgress }),
    );
    builder.endRefinePass(r);
  }
  builder.fixBins();
  scores.fixBins();
  // malformed lines were reported by pass one
  await run("counts", (onProgress) =>
    reader.scan(
      fields,
      (b) => {
        builder.countColumns(b);
        if (!scores.active) return;
        const col = b.columns[p];
        const tc = t >= 0 ? b.columns[t] : undefined;
        for (let r = 0; r < b.rows; r++) scores.count(col?.[r], tc?.[r]);
      },
      { onProgress },
    ),
  );
  const profile = builder.build();
  if (profile.rows === 0) throw new DataFileError(`${path}: no data rows`);
  const s = scores.summary();
  if (s?.scores) profile.scores = s.scores;
  const empty = profile.features.filter((f) => f.counts.every((c) => c === 0)).map((f) => f.name);
  return { profile, skipped, empty, scores: s };
}
