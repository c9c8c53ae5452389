// The consumer's side of join state across restarts and rebalances (joinCheckpoint.ts): a small
// number (slot) per partition for the join's entries, the checkpoint committed with each offset,
// and — when partitions are assigned — the replay of what the previous owner still waited for.
// Newly assigned partitions are paused at once (kafkajs fetches nothing for them), their commits'
// checkpoints read, each seeked back to where its replay starts, then resumed; records below the
// committed offset then go to the join only. Revoked partitions' waiting entries are forgotten
// silently: the new owner rebuilds them.
import type { Admin, Consumer } from "kafkajs";
import type { Logger } from "../export/logger.js";
import { LOG } from "../export/logMessages.js";
import {
  type Checkpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  type RestorePlan,
  restorePlan,
} from "./joinCheckpoint.js";

/** What the restorer needs of the label join. */
export interface JoinStateHooks {
  /** waiting entries per partition slot, with the oldest arrival of each */
  waiting(): Map<number, { count: number; oldest: number }>;
  /** forget the waiting entries of a revoked partition */
  handOver(slot: number): void;
  /** restored entries whose ttl ran out before `t` were counted before the restart */
  setHorizon(t: number): void;
}

export interface RestoreCounters {
  /** records replayed into the join */
  replayed(n: number): void;
  /** records a replay needed that the partition no longer holds */
  unrecovered(n: number): void;
}

/** How often the checkpoint is measured (a scan of the join); commits in between reuse it. */
const CHECKPOINT_MS = 2_000;

type Key = string;
const keyOf = (topic: string, partition: number): Key => `${topic}\u0000${partition}`;

interface Active extends RestorePlan {
  /** highest offset replayed so far */
  mark: number;
  replayedCount: number;
}

export class JoinRestorer {
  private readonly slots = new Map<Key, number>();
  private readonly owned = new Set<Key>();
  private readonly restoring = new Map<Key, Active>();
  private snapshot = new Map<Key, Checkpoint>();
  private snapshotAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly groupId: string,
    private readonly hooks: JoinStateHooks,
    private readonly counters: RestoreCounters,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  /** The partition's slot in the join's entries (≥ 1; 0 is "not from Kafka"). */
  slot(topic: string, partition: number): number {
    const k = keyOf(topic, partition);
    let s = this.slots.get(k);
    if (s === undefined) {
      s = this.slots.size + 1;
      this.slots.set(k, s);
    }
    return s;
  }

  /** Partitions still being replayed. */
  get pending(): number {
    return this.restoring.size;
  }

  /**
   * The metadata to commit with `offset`: the checkpoint, measured at most every 2 s (or now, when
   * `fresh`: the partitions are about to move) against `applied` (next offset to apply per partition).
   */
  metadata(topic: string, partition: number, applied: ReadonlyMap<Key, number>, fresh = false): string {
    const t = this.now();
    if (fresh || t - this.snapshotAt >= CHECKPOINT_MS) this.measure(applied, t);
    const k = keyOf(topic, partition);
    // a partition still being replayed keeps the checkpoint it was restored from: its entries are
    // not all back yet, so a measurement now would start a later replay too late
    const r = this.restoring.get(k);
    if (r) return encodeCheckpoint(r.checkpoint);
    const c = this.snapshot.get(k) ?? { fromOffset: applied.get(k) ?? 0, at: t, waiting: 0 };
    return encodeCheckpoint(c);
  }

  private measure(applied: ReadonlyMap<Key, number>, t: number): void {
    const waiting = this.hooks.waiting();
    const next = new Map<Key, Checkpoint>();
    for (const k of this.owned) {
      const w = waiting.get(this.slots.get(k) ?? -1);
      const fromOffset = applied.get(k);
      if (fromOffset === undefined) continue;
      next.set(
        k,
        w ? { fromTs: w.oldest, fromOffset, at: t, waiting: w.count } : { fromOffset, at: t, waiting: 0 },
      );
    }
    this.snapshot = next;
    this.snapshotAt = t;
  }

  /**
   * A new assignment (GROUP_JOIN): revoked partitions are handed over; newly assigned ones are
   * paused now (synchronously, before kafkajs fetches them), then replayed from their checkpoint.
   */
  assigned(consumer: Consumer, admin: Admin, assignment: Record<string, readonly number[]>): Promise<void> {
    const next = new Set<Key>();
    const fresh: { topic: string; partition: number }[] = [];
    for (const [topic, partitions] of Object.entries(assignment))
      for (const partition of partitions) {
        const k = keyOf(topic, partition);
        next.add(k);
        if (!this.owned.has(k)) fresh.push({ topic, partition });
      }
    for (const k of this.owned)
      if (!next.has(k)) {
        this.restoring.delete(k);
        this.hooks.handOver(this.slots.get(k) ?? -1);
      }
    this.owned.clear();
    for (const k of next) this.owned.add(k);
    if (fresh.length === 0) return Promise.resolve();
    const byTopic = group(fresh);
    consumer.pause(byTopic);
    return this.plan(consumer, admin, fresh)
      .catch((err: unknown) => this.log.warn({ err }, LOG.joinRestoreFailed))
      .finally(() => consumer.resume(byTopic));
  }

  private async plan(
    consumer: Consumer,
    admin: Admin,
    parts: { topic: string; partition: number }[],
  ): Promise<void> {
    const topics = [...new Set(parts.map((p) => p.topic))];
    const committed = await admin.fetchOffsets({ groupId: this.groupId, topics });
    for (const { topic, partitions } of committed)
      for (const p of partitions) {
        if (!parts.some((x) => x.topic === topic && x.partition === p.partition)) continue;
        const checkpoint = decodeCheckpoint(p.metadata);
        const offset = Number(p.offset);
        if (!checkpoint || !(offset > 0)) continue;
        const [byTime, ends] = await Promise.all([
          checkpoint.fromTs === undefined
            ? Promise.resolve(undefined)
            : admin.fetchTopicOffsetsByTimestamp(topic, checkpoint.fromTs),
          admin.fetchTopicOffsets(topic),
        ]);
        const at = byTime?.find((x) => x.partition === p.partition);
        const low = Number(ends.find((x) => x.partition === p.partition)?.low ?? 0);
        const plan = restorePlan(
          topic,
          p.partition,
          offset,
          checkpoint,
          at ? Number(at.offset) : undefined,
          low,
        );
        if (!plan) continue;
        this.hooks.setHorizon(checkpoint.at);
        if (plan.missing > 0) this.counters.unrecovered(plan.missing);
        this.restoring.set(keyOf(topic, p.partition), { ...plan, mark: plan.start - 1, replayedCount: 0 });
        consumer.seek({ topic, partition: p.partition, offset: String(plan.start) });
        this.log.info(
          {
            topic,
            partition: p.partition,
            from: plan.start,
            to: plan.end,
            waiting: checkpoint.waiting,
            missing: plan.missing,
          },
          LOG.joinRestoreStarted,
        );
      }
  }

  /**
   * What to do with a record: "restore" (into the join only), "skip" (replayed already), or "live".
   * Call `replayed` after applying a "restore" record.
   */
  phase(topic: string, partition: number, offset: number): "restore" | "skip" | "live" {
    const r = this.restoring.get(keyOf(topic, partition));
    if (!r) return "live";
    if (offset >= r.end) {
      this.finish(r);
      return "live";
    }
    return offset <= r.mark ? "skip" : "restore";
  }

  replayed(topic: string, partition: number, offset: number): void {
    const k = keyOf(topic, partition);
    const r = this.restoring.get(k);
    if (!r) return;
    r.mark = offset;
    r.replayedCount++;
    this.counters.replayed(1);
    if (offset >= r.end - 1) this.finish(r);
  }

  private finish(r: Active): void {
    this.restoring.delete(keyOf(r.topic, r.partition));
    this.log.info(
      {
        topic: r.topic,
        partition: r.partition,
        replayed: r.replayedCount,
        waiting_at_checkpoint: r.checkpoint.waiting,
        missing: r.missing,
      },
      LOG.joinRestored,
    );
  }
}

function group(parts: { topic: string; partition: number }[]): { topic: string; partitions: number[] }[] {
  const m = new Map<string, number[]>();
  for (const p of parts) m.set(p.topic, [...(m.get(p.topic) ?? []), p.partition]);
  return [...m].map(([topic, partitions]) => ({ topic, partitions }));
}
