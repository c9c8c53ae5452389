import type { ModelConfig } from "../config/model.js";
import { BinLayout } from "../stats/binLayout.js";
import { type DriftReport, driftReport } from "../stats/driftReport.js";
import { ProfileError } from "../stats/profile.js";
import { judgeQuality, withQualityStatus } from "../stats/qualityReport.js";
import { RowCounter } from "../stats/rowCounter.js";
import { ScoreBins } from "../stats/scoreBins.js";
import type { BatchOptions } from "./batchOptions.js";
import { BatchQuality } from "./batchQuality.js";
import { DataFileError } from "./dataFile.js";
import { Engine, type Field } from "./duckdbEngine.js";
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
    engine ??= await Engine.open(opts);
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
    const reader = await DataReader.open(await open(), currentFile, opts.formatIn);
    const p = progress(`${currentFile}:`);
    const multiclass = model.task === "multiclass_classification";
    const fields: Field[] = layout.slots.map((s, i) => ({
      name: s.name,
      numeric: s.bins.type === "numeric",
      // the prediction: multiclass probabilities come as a list (binned as invalid for drift)
      ...(i === layout.predictionSlot && multiclass && { list: true }),
    }));
    // the prediction (when the profile has none) and the target, after the layout's fields
    let pi = layout.predictionSlot;
    if (pi < 0) {
      pi = fields.length;
      fields.push({ name: model.prediction.output, numeric: false, list: multiclass });
    }
    const ti = target === undefined ? -1 : fields.length;
    if (target !== undefined) fields.push({ name: target, numeric: false });
    await reader.scan(
      fields,
      (b) => {
        counter.addColumns(b);
        const pc = b.columns[pi];
        if (!pc) return;
        const tc = ti >= 0 ? b.columns[ti] : undefined;
        for (let r = 0; r < b.rows; r++) quality.add(pc[r], tc?.[r]);
      },
      { strict: opts.strict ?? false, onSkip, onProgress: p.update },
    );
    p.done();
    if (counter.rows === 0) throw new DataFileError(`${currentFile}: no data rows`);
    const judged = withBatchLevels(model, profile, counter.rows);
    const report = driftReport(judged, layout, counter, { reference: profile.rows, skipped });
    // quality: with a target column, or an estimate (a calibrated profile); else nothing to say
    const result = quality.result();
    if (target === undefined && !result.estimated) return report;
    const q = judgeQuality(model, result, quality.estimatedRows);
    return { ...report, quality: q, status: withQualityStatus(report.status, q.status) };
  } finally {
    engine?.close();
  }
}
