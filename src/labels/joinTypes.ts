// What the label join store (joinStore.ts) takes and reports: the outcomes of a prediction or a
// label, the conflict policy, where an entry came from, and the sink it reports joins to.

export type PredictionOutcome = "pending" | "joined" | "duplicate" | "conflict";
export type LabelJoinOutcome = "matched" | "waiting" | "duplicate" | "conflict";

/** What a second, different label for one id does (models[].labels.on_conflict). */
export type ConflictPolicy = "first" | "last" | "reject_conflicts";

/** What the store reports; called synchronously, with numbers only. */
export interface JoinSink {
  /**
   * a prediction met its label (from `source`); `delayMs` = label time − prediction time (≥ 0);
   * `extra`: the prediction's extra numbers (its score bins; −1 for none), valid during the call
   */
  joined(
    prediction: number,
    label: number,
    version: number,
    delayMs: number,
    source: number,
    extra: ArrayLike<number>,
  ): void;
  /** a prediction left without a label (ttl or eviction), from `source` */
  expired(n: number, source: number): void;
  /** a label left without a prediction (ttl or eviction), from `source` */
  unmatched(n: number, source: number): void;
  /** a join counted at `joinTime` is taken back (a conflicting label, last or reject_conflicts) */
  unjoined?(
    prediction: number,
    label: number,
    version: number,
    joinTime: number,
    extra: ArrayLike<number>,
  ): void;
  /** waiting entries of `source` left early to make room (max_pending or the source's cap) */
  evicted?(n: number, source: number): void;
}

/** Where an entry came from, for restarts (Kafka replay marks what it rebuilt). */
export interface EntryOrigin {
  source: number;
  /** a small number naming the Kafka partition it came from (0: none) */
  partition?: number;
  /** rebuilt from a replay: its join was counted before the restart */
  restored?: boolean;
  /**
   * when it arrived, if not now: a Kafka record's timestamp (clamped to now), so that a replay
   * after a restart sees the same arrival times and the checkpoint bounds them by record time
   */
  arrived?: number;
}
