import type { SkippedLine } from "./dataFile.js";
import type { Engine, EngineOptions } from "./duckdbEngine.js";
import type { InputFormat } from "./inputFormat.js";

/** Options the batch commands share. */
export interface BatchOptions extends EngineOptions {
  strict?: boolean;
  onSkip?: (s: SkippedLine) => void;
  /** read every data path as this format instead of going by its extension */
  formatIn?: InputFormat;
  /** edges from a uniform sample of this many values per feature instead of exact quantiles */
  sample?: number;
  /** an engine already open (kept open): many small reads in one process (tests) */
  engine?: Engine;
}
