// Every message the agent logs, in one catalog: the generated runbooks' LogQL filters and the tests
// read it, so a runbook's `msg="…"` filter can never name a line the agent does not write. A new
// log line gets its entry here (a short key, the exact message); log call sites use LOG.<key>.
export const LOG = {
  agentStarted: "agent started",
  draining: "draining",
  stopped: "stopped",
  stoppedWithBacklog: "stopped with copies not yet analysed",
  // analysis
  parseError: "a body could not be read as the model's protocol",
  predictionUnread:
    "a prediction could not be read as configured (the request's features are still analysed)",
  analysisFailed: "analysis failed on a copy (dropped)",
  copiesDropped: "copies of traffic are not being analysed",
  emptyReference: "reference profile has no values for this feature: its drift is undefined and not exported",
  noCalibration:
    "reference profile has no score calibration: no estimated quality (rebuild it with infermon baseline and labels.target)",
  // the tap
  upstreamTimedOut: "upstream timed out",
  upstreamUnreachable: "upstream unreachable",
  // listeners
  webConfigReloaded: "web config reloaded",
  webConfigReloadFailed: "web config could not be reloaded: the previous one stays in force",
  ingestOpen:
    "the ingest listens beyond loopback without authentication: anyone who reaches it can change what infermon reports (ingest.web_config_file)",
  // the shadow replayer (models[].shadow)
  shadowFailed: "shadow request failed",
  shadowDropped: "shadow replays dropped",
  // labels
  joinStateLost: "label join state lost at shutdown: these predictions can no longer be joined",
  joinStateSaved: "label join state saved: the next start reads it",
  joinStateLoaded: "label join state read from the state file",
  joinStateUnreadable: "label join state file could not be read: starting without it",
  joinStateKilled:
    "the previous run ended without saving the label join (killed): its waiting predictions and labels were lost",
  joinRestoreStarted: "kafka: rebuilding the label join from the partition's checkpoint",
  joinRestored: "kafka: label join rebuilt from the partition",
  joinRestoreFailed: "kafka: the label join could not be rebuilt (continuing without the replay)",
  // Kafka (kafkajs' own lines are logged as `kafka: <its message>`)
  kafkaClientPrefix: "kafka: ",
  kafkaConsumerNotClosed: "kafka consumer did not close cleanly",
  kafkaConsumerJoined: "kafka consumer joined its group",
  kafkaConsumerCrashed: "kafka consumer crashed",
  kafkaConsumerNotStarted: "kafka consumer could not start",
  kafkaOffsetsRetried: "kafka offsets not committed yet (retried)",
  kafkaProducerCannotConnect: "kafka producer cannot connect; predictions are buffered, then dropped",
  kafkaProducerDropped: "kafka producer could not publish predictions (dropped)",
  // forward: (predictions to another agent's label join)
  forwardBufferFull: "forward buffer full: predictions are dropped instead of joined",
  forwardFailed: "the label join did not take forwarded predictions (dropped after retries)",
  // tracing
  traceExportError: "trace export error",
  traceExportShutdownFailed: "trace export at shutdown failed",
  traceExportRecovered: "trace export works again",
  traceExportFailing:
    "traces cannot be exported: spans are dropped (bounded queue) until the receiver answers",
} as const;

export type LogKey = keyof typeof LOG;
export type LogMessage = (typeof LOG)[LogKey];
