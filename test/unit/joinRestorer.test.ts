// The checkpoint a commit carries must never claim less is waiting than is: a partition the last
// measurement did not cover gets measured when it is first committed (a SIGKILLed member's
// successor starts its replay from that commit).
import type { Admin, Consumer } from "kafkajs";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { decodeCheckpoint, restorePlan } from "../../src/kafka/joinCheckpoint.js";
import { JoinRestorer } from "../../src/kafka/joinRestorer.js";

const T = "p.predictions";
const key = (p: number) => `${T}\u0000${p}`;

function restorer(clock: { t: number }, waiting: Map<number, { count: number; oldest: number }>) {
  const r = new JoinRestorer(
    "g",
    { waiting: () => waiting, handOver: () => {}, setHorizon: () => {} },
    { replayed: () => {}, unrecovered: () => {} },
    pino({ enabled: false }),
    () => clock.t,
  );
  // both partitions assigned to this member; nothing committed before (no replay)
  const consumer = { pause: () => {}, resume: () => {}, seek: () => {} } as unknown as Consumer;
  const admin = { fetchOffsets: async () => [] } as unknown as Admin;
  return { r, assign: () => r.assigned(consumer, admin, { [T]: [0, 1] }) };
}

describe("JoinRestorer checkpoints", () => {
  it("measures a partition first committed after the last measurement instead of claiming nothing waits", async () => {
    const clock = { t: 1_000 };
    const waiting = new Map<number, { count: number; oldest: number }>();
    const { r, assign } = restorer(clock, waiting);
    await assign();
    const s0 = r.slot(T, 0);
    const s1 = r.slot(T, 1);
    // partition 1 applied first: measured now, partition 0 not applied yet
    waiting.set(s1, { count: 5, oldest: 900 });
    const applied = new Map([[key(1), 5]]);
    decodeCheckpoint(r.metadata(T, 1, applied));
    // within the 2 s reuse interval, 8 records of partition 0 arrive and wait in the join
    clock.t = 1_500;
    waiting.set(s0, { count: 8, oldest: 1_400 });
    applied.set(key(0), 8);
    const c = decodeCheckpoint(r.metadata(T, 0, applied));
    expect(c?.waiting).toBe(8);
    expect(c?.fromTs).toBe(1_400);
    // a successor replays them: the offset of the first record at ≥ 1400 is 0
    const plan = c && restorePlan(T, 0, 8, c, 0, 0);
    expect(plan).toMatchObject({ start: 0, end: 8 });
  });

  it("reuses a measurement within 2 s for a partition it covered (a stale checkpoint starts earlier, never later)", async () => {
    const clock = { t: 1_000 };
    const waiting = new Map<number, { count: number; oldest: number }>();
    const { r, assign } = restorer(clock, waiting);
    await assign();
    const s0 = r.slot(T, 0);
    waiting.set(s0, { count: 2, oldest: 950 });
    const applied = new Map([[key(0), 2]]);
    expect(decodeCheckpoint(r.metadata(T, 0, applied))).toMatchObject({ fromOffset: 2, waiting: 2 });
    clock.t = 2_000;
    waiting.set(s0, { count: 6, oldest: 950 });
    applied.set(key(0), 6);
    expect(decodeCheckpoint(r.metadata(T, 0, applied))).toMatchObject({ fromOffset: 2, waiting: 2 });
    clock.t = 3_100;
    expect(decodeCheckpoint(r.metadata(T, 0, applied))).toMatchObject({ fromOffset: 6, waiting: 6 });
  });
});
