// infermon_forward_predictions_total{outcome} (the forwarding agent) and
// infermon_predictions_received_total{outcome} (the joining agent), on the agent's registry. Every
// outcome exists at 0 from the start in every agent, forwarding or not: the generated
// InfermonPredictionsNotForwarded rule reads them with rate().
import type { Registry } from "prom-client";
import { BoundCounter, type CounterChild } from "../export/boundMetrics.js";

export const FORWARD_OUTCOMES = ["sent", "dropped", "failed"] as const;
export type ForwardOutcome = (typeof FORWARD_OUTCOMES)[number];
export const RECEIVE_OUTCOMES = ["recorded", "duplicate", "unknown_model", "invalid"] as const;
export type ReceiveOutcome = (typeof RECEIVE_OUTCOMES)[number];

export class ForwardMetrics {
  readonly forwarded: Record<ForwardOutcome, CounterChild>;
  readonly received: Record<ReceiveOutcome, CounterChild>;

  constructor(registry: Registry) {
    const sent = new BoundCounter(
      "infermon_forward_predictions_total",
      "Analysed predictions forwarded to the label join (forward:): sent, dropped (buffer full or left at shutdown), failed (refused or unreachable after retries).",
      ["outcome"],
      registry,
    );
    const received = new BoundCounter(
      "infermon_predictions_received_total",
      "Forwarded predictions this agent's label join received (POST /v1/predictions): recorded, duplicate, unknown_model, invalid.",
      ["outcome"],
      registry,
    );
    this.forwarded = Object.fromEntries(
      FORWARD_OUTCOMES.map((o) => [o, sent.labels({ outcome: o })]),
    ) as Record<ForwardOutcome, CounterChild>;
    this.received = Object.fromEntries(
      RECEIVE_OUTCOMES.map((o) => [o, received.labels({ outcome: o })]),
    ) as Record<ReceiveOutcome, CounterChild>;
  }
}
