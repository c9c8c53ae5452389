import { type ModelConfig, PREDICTION_KEY } from "../config/model.js";
import { BinLayout } from "../stats/binLayout.js";
import { type DriftReport, driftReport } from "../stats/driftReport.js";
import { ProfileError } from "../stats/profile.js";
import { judgeQuality, withQualityStatus } from "../stats/qualityReport.js";
import { RowCounter } from "../stats/rowCounter.js";
import { ScoreBins } from "../stats/scoreBins.js";
import type { BatchOptions } from "./batchOptions.js";
import { BatchQuality } from "./batchQuality.js";
import type { Field } from "./columnPlan.js";
import { DataFileError } from "./dataFile.js";
import { Engine } from "./duckdbEngine.js";
import { withBatchLevels } from "./learnedLevels.js";
import { loadReference } from "./loadReference.js";
import { progress } from "./progress.js";
import { DataReader } from "./reader.js";

/** Compare current data (file, glob or URL) with a reference (profile or data) using the drift engine. */
export async function batchDrift(
  model: ModelConfig,
  referenceFile: string,
  currentFile: string,
  opts: BatchOptions = {},
): Promise<DriftReport> {
  let skipped = 0;
  const onSkip: BatchOptions["onSkip"] = (s) => {
    skipped++;
    opts.onSkip?.(s);
  };
  let engine: Engine | undefined;
  const open = async () => {
    engine ??= opts.engine ?? (await Engine.open(opts));
    return engine;
  };
  try {
    const { profile } = await loadReference(open, model, referenceFile, { ...opts, onSkip });
    if (profile.model !== model.name) {
      throw new ProfileError(
        `${referenceFile}: profile is for model "${profile.model}", not "${model.name}"`,
      );
    }
    if (profile.rows === 0) throw new DataFileError(`${referenceFile}: the reference has no rows`);
    const layout = BinLayout.fromProfile(profile, model);
    const counter = new RowCounter(layout);
    let scores: ScoreBins | undefined;
    try {
      scores = ScoreBins.forModel(model, profile.scores);
    } catch (err) {
      throw new ProfileError(`${referenceFile}: ${(err as Error).message}`);
    }
    const target = model.labels.target;
    const quality = new BatchQuality(model, scores, target !== undefined);
    const multiclass = model.task === "multiclass_classification";
    const fields: Field[] = layout.slots.map((s, i) => ({
      name: s.name,
      numeric: s.bins.type === "numeric",
      // the prediction: multiclass probabilities come as a list (binned as invalid for drift)
      ...(i === layout.predictionSlot && multiclass && { list: true }),
    }));
    // the prediction (when the profile has none, and the model has one) and the target, after the
    // layout's fields
    const monitored = model.prediction.monitored;
    let pi = layout.predictionSlot;
    if (pi < 0 && monitored) {
      pi = fields.length;
      fields.push({ name: model.prediction.output, numeric: false, list: multiclass });
    }
    const ti = target === undefined || !monitored ? -1 : fields.length;
    if (ti >= 0) fields.push({ name: target as string, numeric: false });
    const reader = await DataReader.open(
      await open(),
      currentFile,
      opts.formatIn,
      fields.map((f) => f.name),
    );
    const p = progress(`${currentFile}:`);
    await reader.scan(
      fields,
      (b) => {
        counter.addColumns(b);
        const pc = pi >= 0 ? b.columns[pi] : undefined;
        if (!pc) return;
        const tc = ti >= 0 ? b.columns[ti] : undefined;
        for (let r = 0; r < b.rows; r++) quality.add(pc[r], tc?.[r]);
      },
      { strict: opts.strict ?? false, onSkip, onProgress: p.update },
    );
    p.done();
    if (counter.rows === 0) throw new DataFileError(`${currentFile}: no data rows`);
    // each feature's levels at its own count of current values (missing and invalid ones aside)
    const sizes = new Map(
      layout.slots.map((slot) => {
        let n = 0;
        for (let i = 0; i < slot.bins.size; i++) n += counter.counts[slot.offset + i] as number;
        return [slot.name, n] as const;
      }),
    );
    const judged = withBatchLevels(
      model,
      profile,
      (name) =>
        sizes.get(name === PREDICTION_KEY ? (layout.slots[layout.predictionSlot]?.name ?? "") : name) ?? 0,
    );
    const report = driftReport(judged, layout, counter, { reference: profile.rows, skipped });
    // quality: with a target column, or an estimate (a calibrated profile); else nothing to say
    const result = quality.result();
    if (!monitored || (target === undefined && !result.estimated)) return report;
    const q = judgeQuality(model, result, quality.estimatedRows);
    return { ...report, quality: q, status: withQualityStatus(report.status, q.status) };
  } finally {
    if (engine !== opts.engine) engine?.close();
  }
}
