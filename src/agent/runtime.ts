// One model as the agent runs it: its config, protocol adapter and monitor, built once at start.
import { adapterFor } from "../adapters/adapterFor.js";
import type { Config, ModelConfig } from "../config/model.js";
import type { Logger } from "../export/logger.js";
import { LOG } from "../export/logMessages.js";
import type { AgentMetrics } from "../export/metrics.js";
import type { LabelJoin } from "../labels/labelJoin.js";
import type { ModelRuntime } from "../monitor/analyzer.js";
import { loadLayout } from "../monitor/loadProfiles.js";
import { ModelMonitor } from "../monitor/modelMonitor.js";
import { ProfileError } from "../stats/profile.js";
import { ScoreBins } from "../stats/scoreBins.js";
import { type VariantRule, variantRule } from "../variants/variantRule.js";

export interface Runtime extends ModelRuntime {
  readonly version: string;
  readonly route: string;
  readonly model: ModelConfig;
  /** the A/B variant of a tapped request (models[].variants) */
  readonly variantOf?: VariantRule | undefined;
}

export type Layouts = ReturnType<typeof loadLayout>[];

/** Every model's reference layout (throws on a bad profile, before any listener opens). */
export function loadLayouts(config: Config, log: Logger): Layouts {
  const layouts = config.models.map((m) => loadLayout(m));
  layouts.forEach((l, i) => {
    const m = config.models[i];
    for (const slot of l?.slots ?? [])
      if (slot.referenceTotal === 0) log.warn({ model: m?.name, feature: slot.name }, LOG.emptyReference);
    // labels.target says the profile should carry the calibration CBPE needs
    const calibrated = l?.scores?.classes.every((c) => c.calibrated !== undefined) ?? false;
    if (l && m && m.task !== "regression" && m.labels.target !== undefined && !calibrated)
      log.warn({ model: m.name, reference: m.reference }, LOG.noCalibration);
  });
  return layouts;
}

/**
 * Every model's score bins (classification): from its profile's `scores` (a profile binned for
 * another threshold or other classes is refused before any listener opens), else uniform.
 */
export function scoreBins(config: Config, layouts: Layouts): (ScoreBins | undefined)[] {
  return config.models.map((m, i) => {
    try {
      return ScoreBins.forModel(m, layouts[i]?.scores);
    } catch (err) {
      throw new ProfileError(
        `model "${m.name}": reference profile ${m.reference}: ${(err as Error).message}`,
      );
    }
  });
}

/** Bucket bounds of regression models' prediction-value histograms: their reference bin edges. */
export function predictionValueBuckets(config: Config, layouts: Layouts): number[] {
  const valueBuckets = new Set<number>();
  config.models.forEach((m, i) => {
    const l = layouts[i];
    const p = l && l.predictionSlot >= 0 ? l.slots[l.predictionSlot] : undefined;
    if (m.task === "regression" && p?.bins.type === "numeric")
      for (const e of p.bins.values ?? p.bins.edges) valueBuckets.add(e);
  });
  return [...valueBuckets].sort((a, b) => a - b);
}

export function buildRuntimes(
  config: Config,
  layouts: Layouts,
  metrics: AgentMetrics,
  /** the join the monitors record predictions in (none: a forwarding agent joins elsewhere) */
  labels: LabelJoin | undefined,
  /** logs a prediction not read as configured (counted by the monitor) */
  onPredictionIssue: (model: string, reason: string, detail: string, id: string) => void = () => {},
): Map<string, Runtime> {
  const runtimes = new Map<string, Runtime>();
  config.models.forEach((m, i) => {
    runtimes.set(m.name, {
      name: m.name,
      version: m.version,
      route: m.route,
      model: m,
      adapter: adapterFor(m),
      monitor: new ModelMonitor(m, layouts[i], metrics, labels?.monitor(m.name), (reason, detail, id) =>
        onPredictionIssue(m.name, reason, detail, id),
      ),
      variantOf: m.variants && variantRule(m.variants),
    });
  });
  return runtimes;
}
