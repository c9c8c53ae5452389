// The label join and model quality (issue #9). Public API — stable, other parts build on it:
//
//   LabelEvent                      {model, id, label, time?}: one ground-truth label (labelEvent.ts)
//   toLabelEvent(json)              a parsed JSON object ({model, id, label|value, time?}) → LabelEvent
//   agent.labels: LabelJoin         the agent's part (src/cli/agent.ts), started and stopped with it:
//     .applyLabel(LabelEvent)       → "matched" | "waiting" | "duplicate" | "invalid" | "unknown_model"
//     .applyLabelJson(json)         the same from a parsed JSON object (what a Kafka labels message holds)
//     .unreadableLabel()            count a label that was not JSON at all
//     .recordPrediction(event)      an InferenceEvent straight into the join (no drift):
//                                   → "pending" | "joined" | "duplicate" | "unknown_model" | "no_prediction"
//     .monitor(model)               the model's QualityMonitor
//
// Predictions: every InferenceEvent the analysis queue observes (tap, CloudEvents, /v1/events, and
// Kafka's predictions topic when its consumer submits `{kind: "event", ...}` as /v1/events does)
// is recorded in the join by the model's drift monitor; an event that carries `label` is joined at
// once. A repeated prediction id is "duplicate" and not recorded twice; labels are applied
// synchronously and never throw. Labels are joined by (model, request id): the id the tap
// assigns (x-request-id, or the OIP v2 body's `id`; rows `<id>:<row>`), see docs/configuration.md.

export { JoinStore } from "./joinStore.js";
export type { JoinSink, LabelJoinOutcome, PredictionOutcome } from "./joinTypes.js";
export { type LabelEvent, type LabelRead, toLabelEvent } from "./labelEvent.js";
export { emptyCounts, type LabelCounts, LabelJoin, type LabelOutcome } from "./labelJoin.js";
export { MALFORMED, readJsonItems } from "./labelsEndpoint.js";
export { QualityMonitor } from "./qualityMonitor.js";
export { readFeedback, SELDON_FEEDBACK } from "./seldonFeedback.js";
