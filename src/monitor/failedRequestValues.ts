// The feature values of requests the model server answered with a non-2xx status, counted by
// quality in infermon_failed_request_feature_values_total, apart from the successful predictions'
// data quality (a failing model often fails on the inputs that drifted).
import type { AgentMetrics } from "../export/metrics.js";
import { type BinLayout, INVALID_BIN, MISSING_BIN, type Slot } from "../stats/binLayout.js";
import { INVALID_VALUE, MISSING_VALUE, readNumber } from "../stats/values.js";
import type { Inc } from "./versionCounters.js";

/** `quality` values of infermon_failed_request_feature_values_total. */
export const FAILED_QUALITIES = ["ok", "missing", "invalid", "unseen", "out_of_range"] as const;
const Q_OK = 0;
const Q_MISSING = 1;
const Q_INVALID = 2;
const Q_UNSEEN = 3;
const Q_OUT_OF_RANGE = 4;

/** The quality (an index into FAILED_QUALITIES) of feature `slot`'s value `raw`. */
export function failedQuality(layout: BinLayout, slot: Slot, raw: unknown): number {
  const b = layout.binOf(slot, raw);
  let q = Q_OK;
  if (b === MISSING_BIN) q = Q_MISSING;
  else if (b === INVALID_BIN) q = Q_INVALID;
  else if (slot.bins.type === "categorical") {
    if (b === slot.offset + slot.bins.categories.length && layout.isUnseen(slot, raw)) q = Q_UNSEEN;
  } else if (slot.range) {
    const x = readNumber(raw);
    if (x !== MISSING_VALUE && x !== INVALID_VALUE && (x < slot.range.min || x > slot.range.max))
      q = Q_OUT_OF_RANGE;
  }
  return q;
}

/** Per feature of `layout`: its counters by quality (FAILED_QUALITIES order) for one version. */
export function bindFailed(
  metrics: AgentMetrics,
  model: string,
  layout: BinLayout,
  version: string,
): Inc[][] {
  const out: Inc[][] = [];
  for (let s = 0; s < layout.featureCount; s++) {
    const slot = layout.slots[s] as Slot;
    out.push(
      FAILED_QUALITIES.map((quality) =>
        metrics.failedRequestValues.labels({
          model,
          model_version: version,
          feature: slot.name,
          quality,
        }),
      ),
    );
  }
  return out;
}
