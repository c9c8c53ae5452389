// What an aggregator commits beside each offset so that whoever owns the partition next can rebuild
// the label join (docs/adr/0015-join-state-across-restarts.md). The offset itself stays "applied up
// to here" (at-least-once, as before); the commit's metadata says where the replay must start:
//
//   fromTs     the oldest record timestamp of an entry still waiting that came from this partition
//   fromOffset the committed offset when fromTs was measured (entries made after it are above it)
//   at         when it was measured (restored entries whose ttl ran out before it were counted then)
//   waiting    how many entries from this partition were waiting (what a restore should find)
//
// The replay starts at min(first offset with a timestamp ≥ fromTs, fromOffset): every waiting entry
// came from a record with a timestamp ≥ fromTs, so its offset is at or past the first such offset.
// Records below the committed offset are replayed into the join only (their counts were exported
// before); records from it on are applied as usual. Pure.

export interface Checkpoint {
  fromTs?: number;
  fromOffset: number;
  at: number;
  waiting: number;
}

const VERSION = 1;

export function encodeCheckpoint(c: Checkpoint): string {
  return JSON.stringify({ infermon_join: VERSION, ...c });
}

/** The checkpoint in a commit's metadata; undefined for none, another writer's, or garbage. */
export function decodeCheckpoint(metadata: string | null | undefined): Checkpoint | undefined {
  if (!metadata) return undefined;
  let x: unknown;
  try {
    x = JSON.parse(metadata);
  } catch {
    return undefined;
  }
  if (typeof x !== "object" || x === null) return undefined;
  const o = x as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  const fromOffset = num(o.fromOffset);
  const at = num(o.at);
  const waiting = num(o.waiting);
  if (o.infermon_join !== VERSION || fromOffset === undefined || at === undefined || waiting === undefined)
    return undefined;
  const fromTs = num(o.fromTs);
  return fromTs === undefined ? { fromOffset, at, waiting } : { fromTs, fromOffset, at, waiting };
}

/** One partition to rebuild: replay [start, end) into the join only. */
export interface RestorePlan {
  topic: string;
  partition: number;
  start: number;
  end: number;
  checkpoint: Checkpoint;
  /** records the replay needed that the partition no longer holds (retention deleted them) */
  missing: number;
}

/**
 * Where to start: `byTime` is the first offset with a timestamp ≥ fromTs (−1 when none: no record
 * that new, so nothing waiting was older than the log end), `low` the partition's first offset.
 */
export function restorePlan(
  topic: string,
  partition: number,
  committed: number,
  checkpoint: Checkpoint,
  byTime: number | undefined,
  low: number,
): RestorePlan | undefined {
  let start = checkpoint.fromOffset;
  if (checkpoint.fromTs !== undefined && byTime !== undefined && byTime >= 0) start = Math.min(start, byTime);
  start = Math.min(start, committed);
  const missing = Math.max(0, low - start);
  start = Math.max(start, low);
  if (start >= committed) return undefined;
  return { topic, partition, start, end: committed, checkpoint, missing };
}
