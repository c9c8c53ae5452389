// The standard errors of the drift gauges (`<gauge>_stderr`, same labels; src/stats/driftStderr.ts):
// `infermon_feature_psi ± 2 * infermon_feature_psi_stderr` is the band the dashboards draw.
import type { Registry } from "prom-client";
import { BoundGauge as Gauge } from "./boundMetrics.js";

type FW = "model" | "model_version" | "feature" | "window";
type MW = "model" | "model_version" | "window";

export class DriftStderrMetrics {
  readonly featurePsi: Gauge<FW>;
  readonly featureKl: Gauge<FW>;
  readonly featureJs: Gauge<FW>;
  readonly predictionPsi: Gauge<MW>;
  readonly predictionKl: Gauge<MW>;
  readonly predictionJs: Gauge<MW>;

  constructor(registry: Registry) {
    const FWL = ["model", "model_version", "feature", "window"] as const;
    const MWL = ["model", "model_version", "window"] as const;
    const gauge = <L extends string>(of: string, labelNames: readonly L[]) =>
      new Gauge<L>({
        name: `${of}_stderr`,
        help: `Standard error of ${of}: its spread over windows of the same size, the reference fixed.`,
        labelNames,
        registers: [registry],
      });
    this.featurePsi = gauge("infermon_feature_psi", FWL);
    this.featureKl = gauge("infermon_feature_kl_divergence", FWL);
    this.featureJs = gauge("infermon_feature_js_distance", FWL);
    this.predictionPsi = gauge("infermon_prediction_psi", MWL);
    this.predictionKl = gauge("infermon_prediction_kl_divergence", MWL);
    this.predictionJs = gauge("infermon_prediction_js_distance", MWL);
  }

  reset(): void {
    for (const g of Object.values(this)) (g as Gauge).reset();
  }
}
