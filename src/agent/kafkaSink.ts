// Applies consumed Kafka messages at once (not through the analysis queue, which may drop: an
// offset is committed only after its message is applied). A prediction id the join already holds
// (a redelivery, a producer's retry) is a duplicate: neither joined nor counted for drift again.
import type { AnalysisTracer } from "../export/analysisTracing.js";
import type { KafkaSink } from "../kafka/consumer.js";
import type { ConsumeOutcome } from "../kafka/kafkaMessage.js";
import type { LabelJoin, LabelOutcome } from "../labels/labelJoin.js";
import type { Analyzer } from "../monitor/analyzer.js";
import type { Runtime } from "./runtime.js";

const FROM_LABEL: Record<LabelOutcome, ConsumeOutcome> = {
  matched: "applied",
  waiting: "applied",
  duplicate: "duplicate",
  conflict: "conflict",
  invalid: "invalid",
  unknown_model: "unknown_model",
};

export function kafkaSink(
  runtimes: ReadonlyMap<string, Runtime>,
  analyzer: Analyzer,
  labels: LabelJoin,
  tracer: AnalysisTracer,
): KafkaSink {
  return {
    prediction(e, link) {
      const model = runtimes.get(e.model);
      if (!model) return "unknown_model";
      const event = { ...e, version: e.version ?? model.version };
      // the join first: the monitor's own hand-off to the join is then a no-op
      if (labels.recordPrediction(event) === "duplicate") return "duplicate";
      // a record with the producer's trace headers: an analysis span linked to it
      const trace =
        link && tracer.start("kafka", { name: model.name, version: event.version }, event.id, link);
      if (!trace) {
        analyzer.handle({ kind: "event", model, event, source: "kafka" });
        return "applied";
      }
      try {
        analyzer.handle({ kind: "event", model, event, source: "kafka", trace });
        trace.end();
      } catch (err) {
        trace.end("error");
        throw err;
      }
      return "applied";
    },
    label: (json) => FROM_LABEL[labels.applyLabelJson(json, "kafka")],
    unreadableLabel: () => {
      labels.unreadableLabel("kafka");
    },
  };
}
