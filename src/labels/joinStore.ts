// Pending predictions and early labels of one model, keyed by request id, joined when the other
// half arrives. Compact by construction (docs/adr/0010-label-join.md): entries live in rings of
// typed arrays in arrival order, one ring per source (the tap, a sender's name, Kafka), plus one
// Map from id to (ring, sequence number); no object per entry. Entries leave a ring oldest first:
// after `ttlMs`, when their source holds `maxPerSource`, or — when the model holds `maxEntries` —
// from the source holding the most (fair eviction: a flood from one source evicts its own entries,
// never those of a source holding less). Joined entries stay (as ids only) until then, so a second
// label for the same id is recognised as a duplicate, or as a conflict when it says otherwise; the
// policy decides what a conflict does (docs/adr/0019-label-trust.md). Pure: time is passed in.

import {
  ARRIVED,
  CONFLICT,
  EMPTY,
  flatten,
  JOINED,
  LABEL,
  LABEL_VALUE,
  MAX_RING,
  MAX_SOURCES,
  META,
  nextPow2,
  PREDICTION,
  partitionOf,
  REC,
  RESTORED,
  Ring,
  SEQ_MASK,
  stateOf,
  TIME,
  VALUE,
  versionOf,
  withState,
} from "./joinRing.js";
import { type WaitingEntry, waitingByPartition, waitingEntries } from "./joinScans.js";
import type {
  ConflictPolicy,
  EntryOrigin,
  JoinSink,
  LabelJoinOutcome,
  PredictionOutcome,
} from "./joinTypes.js";

const DEFAULT_ORIGIN: EntryOrigin = { source: 0 };

export class JoinStore {
  private readonly rings: Ring[] = [];
  private readonly index = new Map<string, number>();
  private readonly maxPerSource: number;
  private readonly ringCap: number;
  private predictions = 0;
  private labels = 0;
  private total = 0;
  /** restored entries whose ttl ran out before this time were counted before the restart */
  private horizon = Number.NEGATIVE_INFINITY;
  /** numbers kept with each prediction (its score bins): Ring.extra */
  readonly extraWidth: number;
  /** the extra numbers of the entry being reported, for the sink */
  private readonly scratch: Int32Array;

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
    private readonly sink: JoinSink,
    opts: { maxPerSource?: number; policy?: ConflictPolicy; extraWidth?: number } = {},
  ) {
    this.extraWidth = opts.extraWidth ?? 0;
    this.scratch = new Int32Array(this.extraWidth).fill(-1);
    if (!(maxEntries >= 1) || maxEntries > 100_000_000) throw new RangeError("maxEntries out of range");
    this.maxPerSource = Math.min(opts.maxPerSource ?? maxEntries, maxEntries, MAX_RING);
    this.ringCap = nextPow2(this.maxPerSource);
    this.policy = opts.policy ?? "first";
  }

  readonly policy: ConflictPolicy;

  /** Predictions waiting for a label. */
  get pendingPredictions(): number {
    return this.predictions;
  }

  /** Labels waiting for their prediction. */
  get waitingLabels(): number {
    return this.labels;
  }

  /** Entries held (waiting either way, or joined and remembered for duplicates). */
  get size(): number {
    return this.total;
  }

  /** Restored entries expiring before `t` (the last checkpoint before a restart) leave silently. */
  setRestoreHorizon(t: number): void {
    this.horizon = Math.max(this.horizon, t);
  }

  /** Entries held for `source`. */
  sourceSize(source: number): number {
    return this.rings[source]?.size ?? 0;
  }

  /**
   * A prediction (`value`: class index or regression value) made at `time`, seen at `now`; a label
   * sent with `alias` (another id the client saw for it) joins too. `extra`: extraWidth numbers in
   * [0, 0xffff) kept with it (its score bins), negative for none; absent: none.
   */
  addPrediction(
    id: string,
    value: number,
    version: number,
    time: number,
    now: number,
    origin: EntryOrigin = DEFAULT_ORIGIN,
    alias?: string,
    extra?: ArrayLike<number>,
  ): PredictionOutcome {
    // a replayed entry lives on its own (record) clock
    if (origin.arrived !== undefined) now = origin.arrived;
    // entries past the ttl leave first: a late half never joins, whether or not a sweep ran
    this.expire(now);
    let at = this.index.get(id);
    if (at === undefined && alias !== undefined) {
      // a label that came first with the other id waits under it; any other entry there (a client
      // reusing one x-request-id) is not this prediction
      const a = this.index.get(alias);
      const ar = a === undefined ? undefined : (this.rings[a & 15] as Ring);
      if (a !== undefined && ar && stateOf(ar.rec[((a >> 4) & ar.mask) * REC + META] as number) === LABEL) {
        at = a;
        // the body id finds the joined entry too (a repeated label with it is a duplicate)
        const slot = (a >> 4) & ar.mask;
        if (ar.aliases[slot] === undefined) {
          flatten(id);
          ar.aliases[slot] = id;
          this.index.set(id, a);
        }
      }
    }
    if (at !== undefined) {
      const ring = this.rings[at & 15] as Ring;
      const r = ((at >> 4) & ring.mask) * REC;
      const rec = ring.rec;
      const meta = rec[r + META] as number;
      const st = stateOf(meta);
      if (st === CONFLICT) return "conflict";
      if (st !== LABEL) return "duplicate";
      const label = rec[r + VALUE] as number;
      const labelTime = rec[r + TIME] as number;
      rec[r + META] = (withState(meta, JOINED) & ~(1023 << 4)) | (version << 4);
      rec[r + TIME] = now;
      rec[r + VALUE] = value;
      rec[r + LABEL_VALUE] = label;
      this.labels--;
      // kept for a later retraction (a conflicting label)
      const slot = r / REC;
      ring.setExtra(slot, extra);
      // a join both of whose halves were counted before a restart was counted then
      if (!(origin.restored && meta & RESTORED))
        this.sink.joined(
          value,
          label,
          version,
          Math.max(0, labelTime - time),
          at & 15,
          ring.getExtra(slot, this.scratch),
        );
      return "joined";
    }
    const [ring, r] = this.insert(id, now, origin);
    if (alias !== undefined && alias !== id && !this.index.has(alias)) {
      flatten(alias);
      ring.aliases[r / REC] = alias;
      this.index.set(alias, this.index.get(id) as number);
    }
    ring.rec[r + META] =
      PREDICTION |
      (origin.restored ? RESTORED : 0) |
      ((version & 1023) << 4) |
      ((origin.partition ?? 0) << 14);
    ring.rec[r + TIME] = time;
    ring.rec[r + VALUE] = value;
    ring.setExtra(r / REC, extra);
    this.predictions++;
    return "pending";
  }

  /** A label (`value`: class index or true value) observed at `time`, arriving at `now`. */
  addLabel(
    id: string,
    value: number,
    time: number,
    now: number,
    origin: EntryOrigin = DEFAULT_ORIGIN,
  ): LabelJoinOutcome {
    this.expire(now);
    const at = this.index.get(id);
    if (at !== undefined) {
      const ring = this.rings[at & 15] as Ring;
      const r = ((at >> 4) & ring.mask) * REC;
      const rec = ring.rec;
      const meta = rec[r + META] as number;
      const st = stateOf(meta);
      if (st === PREDICTION) {
        rec[r + META] = withState(meta, JOINED);
        const prediction = rec[r + VALUE] as number;
        const predTime = rec[r + TIME] as number;
        rec[r + TIME] = now;
        rec[r + LABEL_VALUE] = value;
        this.predictions--;
        if (!(origin.restored && meta & RESTORED))
          this.sink.joined(
            prediction,
            value,
            versionOf(meta),
            Math.max(0, time - predTime),
            origin.source,
            ring.getExtra(r / REC, this.scratch),
          );
        return "matched";
      }
      if (st === CONFLICT) return "conflict";
      const held = (st === LABEL ? rec[r + VALUE] : rec[r + LABEL_VALUE]) as number;
      if (held === value) return "duplicate";
      // a label that disagrees with the one held
      if (this.policy === "first") return "conflict";
      if (st === LABEL) {
        if (this.policy === "last") {
          rec[r + VALUE] = value;
          rec[r + TIME] = time;
        } else {
          rec[r + META] = withState(meta, CONFLICT);
          this.labels--;
        }
        return "conflict";
      }
      // joined: the counted join is taken back from the windows; `last` counts the new one
      const prediction = rec[r + VALUE] as number;
      const version = versionOf(meta);
      const x = ring.getExtra(r / REC, this.scratch);
      this.sink.unjoined?.(prediction, held, version, rec[r + TIME] as number, x);
      if (this.policy === "last") {
        rec[r + LABEL_VALUE] = value;
        rec[r + TIME] = now;
        this.sink.joined(prediction, value, version, 0, origin.source, x);
      } else rec[r + META] = withState(meta, CONFLICT);
      return "conflict";
    }
    const [ring, r] = this.insert(id, now, origin);
    ring.rec[r + META] = LABEL | (origin.restored ? RESTORED : 0) | ((origin.partition ?? 0) << 14);
    ring.rec[r + TIME] = time;
    ring.rec[r + VALUE] = value;
    this.labels++;
    return "waiting";
  }

  /** Drop entries older than the ttl (reported through the sink). */
  expire(now: number): void {
    const ttl = this.ttlMs;
    for (let s = 0; s < this.rings.length; s++) {
      const ring = this.rings[s];
      if (!ring) continue;
      let expired = 0;
      let unmatched = 0;
      while (
        ring.head < ring.tail &&
        now - (ring.rec[(ring.head & ring.mask) * REC + ARRIVED] as number) >= ttl
      ) {
        const st = this.dropHead(ring);
        if (st === PREDICTION) expired++;
        else if (st === LABEL) unmatched++;
      }
      if (expired > 0) this.sink.expired(expired, s);
      if (unmatched > 0) this.sink.unmatched(unmatched, s);
    }
  }

  /** Forget everything (shutdown); returns what was waiting, for the log. Nothing is reported. */
  clear(): { predictions: number; labels: number } {
    const out = { predictions: this.predictions, labels: this.labels };
    for (const ring of this.rings) while (ring && ring.head < ring.tail) this.dropHead(ring);
    return out;
  }

  /**
   * Forget, without reporting, the waiting entries that came from a partition this member no
   * longer owns (a Kafka rebalance moved it: the new owner rebuilds them). Returns how many.
   */
  handOver(partition: number): number {
    let n = 0;
    for (const ring of this.rings) {
      if (!ring) continue;
      for (let seq = ring.head; seq < ring.tail; seq++) {
        const r = (seq & ring.mask) * REC;
        const meta = ring.rec[r + META] as number;
        const st = stateOf(meta);
        if (partitionOf(meta) !== partition || (st !== PREDICTION && st !== LABEL)) continue;
        if (st === PREDICTION) this.predictions--;
        else this.labels--;
        // the slot stays (it leaves with the ring's order, silently); the id is free again
        const slot = seq & ring.mask;
        this.index.delete(ring.ids[slot] as string);
        ring.ids[slot] = undefined;
        this.dropAlias(ring, slot, seq);
        ring.rec[r + META] = EMPTY;
        n++;
      }
    }
    return n;
  }

  /** Waiting entries per partition slot, with the oldest arrival of each (a Kafka checkpoint). */
  waitingByPartition(
    into = new Map<number, { count: number; oldest: number }>(),
  ): Map<number, { count: number; oldest: number }> {
    return waitingByPartition(this.rings, into);
  }

  /** Every waiting entry (a state file at shutdown): id, kind, value, version, time, arrival. */
  waiting(): Generator<WaitingEntry> {
    return waitingEntries(this.rings);
  }

  /** A slot for a new entry at the tail of its source's ring: the fair eviction makes room first. */
  private insert(id: string, now: number, origin: EntryOrigin): [Ring, number] {
    const s = Math.min(Math.max(0, origin.source | 0), MAX_SOURCES - 1);
    let ring = this.rings[s];
    if (!ring) {
      ring = new Ring(this.ringCap, this.extraWidth);
      for (let i = this.rings.length; i < s; i++) this.rings.push(undefined as unknown as Ring);
      this.rings[s] = ring;
    }
    if (ring.size >= this.maxPerSource) this.evict(ring, s);
    else if (this.total >= this.maxEntries) {
      // from the source holding the most (this one when it ties): sources at or below their
      // share are never evicted by another's flood
      let victim = s;
      let most = ring.size;
      this.rings.forEach((x, i) => {
        if (x && x.size > most) {
          most = x.size;
          victim = i;
        }
      });
      this.evict(this.rings[victim] as Ring, victim);
    }
    if (ring.size >= ring.cap) ring.grow();
    const seq = ring.tail++;
    const slot = seq & ring.mask;
    flatten(id);
    ring.ids[slot] = id;
    ring.rec[slot * REC + ARRIVED] = now;
    ring.rec[slot * REC + LABEL_VALUE] = 0;
    ring.setExtra(slot, undefined);
    this.index.set(id, ((seq & SEQ_MASK) << 4) | s);
    this.total++;
    return [ring, slot * REC];
  }

  /** Forget a slot's alias, only when it still points at this entry (a later one may have the id). */
  private dropAlias(ring: Ring, slot: number, seq: number): void {
    const alias = ring.aliases[slot];
    if (alias === undefined) return;
    const source = this.rings.indexOf(ring);
    if (this.index.get(alias) === (((seq & SEQ_MASK) << 4) | source)) this.index.delete(alias);
    ring.aliases[slot] = undefined;
  }

  private evict(ring: Ring, source: number): void {
    const st = this.dropHead(ring);
    if (st === PREDICTION) this.sink.expired(1, source);
    else if (st === LABEL) this.sink.unmatched(1, source);
    if (st === PREDICTION || st === LABEL) this.sink.evicted?.(1, source);
  }

  private dropHead(ring: Ring): number {
    const s = ring.head & ring.mask;
    const st = stateOf(ring.rec[s * REC + META] as number);
    if (st === PREDICTION) this.predictions--;
    else if (st === LABEL) this.labels--;
    const id = ring.ids[s];
    if (id !== undefined) this.index.delete(id);
    ring.ids[s] = undefined;
    this.dropAlias(ring, s, ring.head);
    ring.rec[s * REC + META] = EMPTY;
    ring.head++;
    this.total--;
    return st;
  }
}
