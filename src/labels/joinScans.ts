// Read-only walks over a join store's rings: what is waiting, per Kafka partition (a checkpoint)
// or entry by entry (a state file at shutdown). Joined and emptied slots are skipped.
import {
  ARRIVED,
  LABEL,
  META,
  NO_PARTITION,
  PREDICTION,
  partitionOf,
  REC,
  type Ring,
  stateOf,
  TIME,
  VALUE,
  versionOf,
} from "./joinRing.js";

/** A waiting entry: id, kind, value, version, time, arrival and source index. */
export interface WaitingEntry {
  id: string;
  kind: "prediction" | "label";
  value: number;
  version: number;
  time: number;
  arrived: number;
  source: number;
}

/** Waiting entries per partition slot, with the oldest arrival of each (a Kafka checkpoint). */
export function waitingByPartition(
  rings: readonly (Ring | undefined)[],
  into: Map<number, { count: number; oldest: number }>,
): Map<number, { count: number; oldest: number }> {
  for (const ring of rings) {
    if (!ring) continue;
    for (let seq = ring.head; seq < ring.tail; seq++) {
      const r = (seq & ring.mask) * REC;
      const meta = ring.rec[r + META] as number;
      const st = stateOf(meta);
      if (st !== PREDICTION && st !== LABEL) continue;
      const p = partitionOf(meta);
      if (p === NO_PARTITION) continue;
      const arrived = ring.rec[r + ARRIVED] as number;
      const w = into.get(p);
      if (w) {
        w.count++;
        if (arrived < w.oldest) w.oldest = arrived;
      } else into.set(p, { count: 1, oldest: arrived });
    }
  }
  return into;
}

/** Every waiting entry (a state file at shutdown): id, kind, value, version, time, arrival. */
export function* waitingEntries(rings: readonly (Ring | undefined)[]): Generator<WaitingEntry> {
  for (let s = 0; s < rings.length; s++) {
    const ring = rings[s];
    if (!ring) continue;
    for (let seq = ring.head; seq < ring.tail; seq++) {
      const slot = seq & ring.mask;
      const r = slot * REC;
      const meta = ring.rec[r + META] as number;
      const st = stateOf(meta);
      if (st !== PREDICTION && st !== LABEL) continue;
      yield {
        id: ring.ids[slot] as string,
        kind: st === PREDICTION ? "prediction" : "label",
        value: ring.rec[r + VALUE] as number,
        version: versionOf(meta),
        time: ring.rec[r + TIME] as number,
        arrived: ring.rec[r + ARRIVED] as number,
        source: s,
      };
    }
  }
}
