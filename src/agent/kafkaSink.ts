// Applies consumed Kafka messages at once (not through the analysis queue, which may drop: an
// offset is committed only after its message is applied). A prediction id the join already holds
// (a redelivery, a producer's retry) is a duplicate: neither joined nor counted for drift again.
import type { AnalysisTracer } from "../export/analysisTracing.js";
import type { KafkaSink, RecordContext } from "../kafka/consumer.js";
import type { ConsumeOutcome } from "../kafka/kafkaMessage.js";
import type { LabelJoin, LabelOutcome } from "../labels/labelJoin.js";
import type { Origin } from "../labels/qualityMonitor.js";
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

/** The join entry's origin: Kafka, with the record's partition slot and time when known. */
function origin(record: RecordContext | undefined): Origin {
  return record
    ? { name: "kafka", partition: record.partition, arrived: record.arrived, restored: record.restored }
    : "kafka";
}

export function kafkaSink(
  runtimes: ReadonlyMap<string, Runtime>,
  analyzer: Analyzer,
  labels: LabelJoin,
  tracer: AnalysisTracer,
): KafkaSink {
  return {
    prediction(e, link, record) {
      const model = runtimes.get(e.model);
      if (!model) return record?.restored ? "restored" : "unknown_model";
      const event = { ...e, version: e.version ?? model.version };
      // the join first (with the record's partition and time, for restarts): the monitor's own
      // hand-off to the join is then a no-op
      const joined = labels.recordPrediction(event, origin(record));
      // a replayed record rebuilds the join only: its drift and counts were exported before
      if (record?.restored) return "restored";
      if (joined === "duplicate") return "duplicate";
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
    label: (json, record) => {
      const outcome = labels.applyLabelJson(json, origin(record));
      return record?.restored ? "restored" : FROM_LABEL[outcome];
    },
    unreadableLabel: () => {
      labels.unreadableLabel("kafka");
    },
  };
}
