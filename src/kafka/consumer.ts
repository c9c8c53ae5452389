// The Kafka source: one consumer group reads the predictions topic (InferenceEvents as JSON, keyed
// by request id) and the labels topic, and hands each message to a sink that applies it (the
// model monitor and the label join). At-least-once: an offset is resolved only after its message
// was applied (or counted as poison), and only resolved offsets are committed; redeliveries are
// recognised by offset here and by id in the join. Kafka is pulled, so nothing is dropped: a slow
// sink only slows fetching. The broker going away makes the source not ready; kafkajs reconnects
// with exponential backoff and the consumer is restarted (with backoff) if it gives up.
import type { Link } from "@opentelemetry/api";
import { type Admin, type Consumer, type IHeaders, Kafka, logLevel } from "kafkajs";
import type { InferenceEvent } from "../adapters/inferenceEvent.js";
import { type Logger, silentLogger } from "../export/logger.js";
import { LOG } from "../export/logMessages.js";
import { linkFromHeaders } from "../export/traceContext.js";
import { JoinRestorer, type JoinStateHooks, type RestoreCounters } from "./joinRestorer.js";
import { kafkaLogCreator } from "./kafkaLog.js";
import { type ConsumeOutcome, readLabelMessage, readPredictionMessage } from "./kafkaMessage.js";
import type { KafkaMetrics } from "./kafkaMetrics.js";
import type { KafkaSecurity } from "./kafkaSecurity.js";
import { OffsetWatermark } from "./offsetWatermark.js";

/** Where a record came from, for the label join's restart state (joinRestorer.ts). */
export interface RecordContext {
  /** the record's partition slot in the join */
  partition: number;
  /** the record's timestamp, clamped to now: its entry's arrival time */
  arrived: number;
  /** replayed after a restart or a rebalance: into the join only, nothing counted again */
  restored: boolean;
}

/** What applies consumed messages: the agent wires it to the monitors and the label join. */
export interface KafkaSink {
  /** an event without a version gets the model's configured one */
  prediction(
    event: Omit<InferenceEvent, "version"> & { version?: string | undefined },
    /** the producer's span, from the record's trace headers (traceparent/tracestate) */
    link?: Link | undefined,
    record?: RecordContext,
  ): ConsumeOutcome;
  /** a parsed labels-topic message (`{model, id, label|value, time?}`), checked by the join */
  label(json: unknown, record?: RecordContext): ConsumeOutcome;
  /** a labels-topic message that is not JSON (counted by the join too) */
  unreadableLabel(): void;
}

export interface KafkaSourceOptions {
  brokers: string[];
  /** SASL and TLS (kafkaSecurity.ts) */
  security?: KafkaSecurity;
  groupId: string;
  topics: { predictions?: string | undefined; labels?: string | undefined };
  sink: KafkaSink;
  metrics: KafkaMetrics;
  logger?: Logger;
  clientId?: string;
  now?: () => number;
  /** no fetch or heartbeat for this long → not ready (default 6 s) */
  staleMs?: number;
  /** consumer session (default 10 s): how long a dead member holds its partitions */
  sessionTimeoutMs?: number;
  /** long-poll wait of a fetch (default 500 ms) */
  maxWaitMs?: number;
  /** kafkajs retries of a failing request before the consumer restarts (default 8: ~40 s) */
  retries?: number;
  /** the label join's state across restarts and rebalances (absent: nothing replayed) */
  joinState?: JoinStateHooks;
  restoreCounters?: RestoreCounters;
}

const COMMIT_INTERVAL_MS = 200;

/** Backoff between restarts of a consumer that gave up: 0.5 s doubling to 30 s. */
const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 30_000;

export class KafkaSource {
  private readonly kafka: Kafka;
  private consumer: Consumer | undefined;
  private readonly watermark = new OffsetWatermark();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly staleMs: number;
  private lastContact = Number.NEGATIVE_INFINITY;
  private joined = false;
  private stopped = false;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  /** next offset to commit per "topic\0partition": resolved (applied) and what the broker has */
  private readonly resolved = new Map<string, number>();
  private readonly committed = new Map<string, number>();
  private assigned: Record<string, readonly number[]> = {};
  private committer: NodeJS.Timeout | undefined;
  private committing = false;
  private readonly restorer: JoinRestorer | undefined;
  private admin: Admin | undefined;

  constructor(private readonly o: KafkaSourceOptions) {
    this.log = o.logger ?? silentLogger;
    this.now = o.now ?? Date.now;
    this.staleMs = o.staleMs ?? 6_000;
    this.kafka = new Kafka({
      clientId: o.clientId ?? "infermon",
      brokers: o.brokers,
      ...o.security,
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(this.log),
      connectionTimeout: 3_000,
      retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 8 },
    });
    for (const t of this.topicList()) o.metrics.consumedTopic(t);
    if (o.joinState)
      this.restorer = new JoinRestorer(
        o.groupId,
        o.joinState,
        o.restoreCounters ?? { replayed: () => {}, unrecovered: () => {} },
        this.log,
        this.now,
      );
  }

  /** Partitions whose join state is still being replayed (tests wait for 0). */
  get restoring(): number {
    return this.restorer?.pending ?? 0;
  }

  /** Whether the group is joined and the broker answered recently. */
  get ready(): boolean {
    return this.joined && this.now() - this.lastContact < this.staleMs;
  }

  /** The partitions this member holds (after its last group join). */
  get assignment(): Readonly<Record<string, readonly number[]>> {
    return this.assigned;
  }

  /** Starts consuming in the background; connection failures are retried, never thrown. */
  start(): void {
    this.stopped = false;
    this.starting = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.committer);
    const c = this.consumer;
    this.consumer = undefined;
    this.joined = false;
    // what was applied is committed, then the member leaves the group so the partitions move at once;
    // bounded, as a consumer still connecting to an absent broker would hold shutdown for ~40 s
    const within = (p: Promise<unknown> | undefined, ms: number) =>
      Promise.race([p?.catch(() => {}), new Promise((r) => setTimeout(r, ms).unref())]);
    await within(this.starting, 1_000);
    if (c) await within(this.commitPending(c, true), 2_000);
    await within(
      c?.disconnect().catch((err: unknown) => this.log.warn({ err }, LOG.kafkaConsumerNotClosed)),
      5_000,
    );
    await within(this.admin?.disconnect(), 1_000);
  }

  private topicList(): string[] {
    const { predictions, labels } = this.o.topics;
    return [predictions, labels].filter((t): t is string => t !== undefined);
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    const c = this.kafka.consumer({
      groupId: this.o.groupId,
      sessionTimeout: this.o.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: this.o.maxWaitMs ?? 500,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxBytes: 16 * 1024 * 1024,
      retry: {
        initialRetryTime: 300,
        maxRetryTime: 10_000,
        retries: this.o.retries ?? 8,
        // kafkajs restarts a crashed consumer for retriable errors; do so for every error: a
        // source that stops for good would stall the join silently
        restartOnFailure: async () => !this.stopped,
      },
    });
    this.consumer = c;
    const e = c.events;
    const contact = () => {
      this.lastContact = this.now();
    };
    c.on(e.GROUP_JOIN, (ev) => {
      this.joined = true;
      this.restarts = 0;
      contact();
      this.assigned = ev.payload.memberAssignment;
      this.o.metrics.assigned(ev.payload.memberAssignment);
      this.log.info({ assignment: ev.payload.memberAssignment }, LOG.kafkaConsumerJoined);
      // partitions new to this member are paused here, before kafkajs fetches them, and replayed
      // from their checkpoint; revoked ones' waiting entries are handed over
      if (this.restorer) {
        this.admin ??= this.kafka.admin({ retry: { retries: 3 } });
        const admin = this.admin;
        void this.restorer.assigned(c, admin, ev.payload.memberAssignment);
      }
    });
    c.on(e.FETCH, contact);
    c.on(e.HEARTBEAT, contact);
    c.on(e.CRASH, (ev) => {
      this.joined = false;
      this.log.warn({ err: ev.payload.error, restart: ev.payload.restart }, LOG.kafkaConsumerCrashed);
      if (!ev.payload.restart) this.scheduleRestart(c);
    });
    // the partitions may move: hand over what was applied
    c.on(e.REBALANCING, () => {
      void this.commitPending(c, true);
    });
    c.on(e.DISCONNECT, () => {
      this.joined = false;
    });
    c.on(e.COMMIT_OFFSETS, (ev) => {
      for (const t of ev.payload.topics)
        for (const p of t.partitions) this.committed.set(`${t.topic}\u0000${p.partition}`, Number(p.offset));
    });
    // at-least-once: only applied (resolved) offsets are committed, every 200 ms rather than after
    // each batch (a commit per partition batch waited a round trip each: 15k → 50k messages/s in
    // bench/kafka); a crash redelivers at most that much, recognised by offset or id
    clearInterval(this.committer);
    this.committer = setInterval(() => {
      void this.commitPending(c);
    }, COMMIT_INTERVAL_MS);
    this.committer.unref();
    try {
      await c.connect();
      if (this.restorer) {
        this.admin ??= this.kafka.admin({ retry: { retries: 3 } });
        await this.admin.connect();
      }
      if (this.stopped) {
        await c.disconnect();
        return;
      }
      await c.subscribe({ topics: this.topicList(), fromBeginning: true });
      await c.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          contact();
          const topic = batch.topic;
          const kind = topic === this.o.topics.predictions ? "predictions" : "labels";
          let last = -1;
          const restorer = this.restorer;
          const slot = restorer?.slot(topic, batch.partition) ?? 0;
          for (const m of batch.messages) {
            if (!isRunning() || isStale()) break;
            const offset = Number(m.offset);
            const now = this.now();
            const record = {
              partition: slot,
              arrived: Math.min(now, Number(m.timestamp) || now),
              restored: false,
            };
            const phase = restorer ? restorer.phase(topic, batch.partition, offset) : "live";
            if (phase !== "live") {
              // below the committed offset: applied before the restart, rebuilt into the join only
              if (phase === "restore") {
                record.restored = true;
                applyMessage(kind, m.value, m.key, this.o.sink, now, m.headers, record);
                restorer?.replayed(topic, batch.partition, offset);
                this.o.metrics.counter(topic, "restored").inc();
              }
              resolveOffset(m.offset);
              continue;
            }
            const outcome = this.watermark.advance(topic, batch.partition, offset)
              ? applyMessage(kind, m.value, m.key, this.o.sink, now, m.headers, slot > 0 ? record : undefined)
              : "duplicate";
            this.o.metrics.counter(topic, outcome).inc();
            resolveOffset(m.offset);
            last = offset;
          }
          if (last >= 0) {
            this.resolved.set(`${topic}\u0000${batch.partition}`, last + 1);
            this.o.metrics.setLag(topic, batch.partition, Number(batch.highWatermark) - last - 1);
          }
          await heartbeat();
        },
      });
    } catch (err) {
      this.log.warn({ err }, LOG.kafkaConsumerNotStarted);
      this.scheduleRestart(c);
    }
  }

  private async commitPending(c: Consumer, evenIfNotReady = false): Promise<void> {
    if ((!evenIfNotReady && !this.ready) || this.committing) return;
    const pending: { topic: string; partition: number; offset: string; metadata?: string }[] = [];
    // with the join's checkpoint: where a later owner's replay starts (joinCheckpoint.ts); it is
    // measured fresh when the partitions are about to move (evenIfNotReady: a rebalance, a stop)
    const restorer = this.restorer;
    for (const [topic, partitions] of Object.entries(this.assigned))
      for (const partition of partitions) {
        const k = `${topic}\u0000${partition}`;
        const r = this.resolved.get(k);
        if (r !== undefined && (r > (this.committed.get(k) ?? -1) || (restorer && evenIfNotReady)))
          pending.push({
            topic,
            partition,
            offset: String(r),
            ...(restorer && { metadata: restorer.metadata(topic, partition, this.resolved, evenIfNotReady) }),
          });
      }
    if (pending.length === 0) return;
    this.committing = true;
    try {
      await c.commitOffsets(pending);
      for (const p of pending) this.committed.set(`${p.topic}\u0000${p.partition}`, Number(p.offset));
    } catch (err) {
      this.log.debug({ err }, LOG.kafkaOffsetsRetried);
    } finally {
      this.committing = false;
    }
  }

  private scheduleRestart(c: Consumer): void {
    if (this.stopped || this.consumer !== c) return;
    const delay = Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** this.restarts++);
    this.restartTimer = setTimeout(
      () => {
        c.disconnect()
          .catch(() => {})
          .finally(() => {
            if (this.stopped || this.consumer !== c) return;
            this.starting = this.run();
          });
      },
      delay * (0.75 + Math.random() / 2),
    );
    this.restartTimer.unref();
  }
}

/**
 * One message applied through the sink, or the poison outcome it is counted as (exported for
 * bench/kafka, which drives the same path from another client).
 */
export function applyMessage(
  kind: "predictions" | "labels",
  value: Buffer | null,
  key: Buffer | null,
  sink: KafkaSink,
  now: number,
  headers?: IHeaders,
  record?: RecordContext,
): ConsumeOutcome {
  if (kind === "labels") {
    const r = readLabelMessage(value, key);
    if (r.ok) return sink.label(r.json, record);
    if (!record?.restored) sink.unreadableLabel();
    return r.outcome;
  }
  const r = readPredictionMessage(value, key, now);
  if (!r.ok) return r.outcome;
  let outcome: ConsumeOutcome = "applied";
  const link = linkFromHeaders(headers);
  r.events.forEach((ev, i) => {
    const o = sink.prediction({ ...ev, version: r.versions[i] }, link, record);
    if (o !== "applied") outcome = o;
  });
  return outcome;
}
