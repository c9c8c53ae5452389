import { type ModelConfig, PREDICTION_KEY } from "../config/model.js";
import { BinLayout } from "../stats/binLayout.js";
import { type DriftReport, driftReport } from "../stats/driftReport.js";
import { ProfileError } from "../stats/profile.js";
import { RowCounter } from "../stats/rowCounter.js";
import type { BatchOptions } from "./batchOptions.js";
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
    const fields = layout.slots.map((s) => ({ name: s.name, numeric: s.bins.type === "numeric" }));
    const reader = await DataReader.open(
      await open(),
      currentFile,
      opts.formatIn,
      fields.map((f) => f.name),
    );
    const p = progress(`${currentFile}:`);
    await reader.scan(fields, (b) => counter.addColumns(b), {
      strict: opts.strict ?? false,
      onSkip,
      onProgress: p.update,
    });
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
    return driftReport(judged, layout, counter, { reference: profile.rows, skipped });
  } finally {
    if (engine !== opts.engine) engine?.close();
  }
}
