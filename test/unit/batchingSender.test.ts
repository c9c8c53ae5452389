// The outgoing senders' shared machinery, on a fake clock with a fake transport (the forwarder and
// the Kafka publisher are tested against a real agent and a real broker elsewhere).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BatchingSender, type BatchingSenderOptions } from "../../src/forward/batchingSender.js";

/** A transport whose sends stay pending until the test settles them. */
function fakeTransport() {
  const sent: number[][] = [];
  const pending: (() => void)[] = [];
  let dropped = 0;
  let released = 0;
  return {
    sent,
    get dropped() {
      return dropped;
    },
    get released() {
      return released;
    },
    /** settles the oldest pending send, and lets what follows from it run */
    async finishOne() {
      pending.shift()?.();
      await vi.advanceTimersByTimeAsync(0);
    },
    options: {
      send: (batch: number[]) => {
        sent.push(batch);
        return new Promise<void>((r) => pending.push(r));
      },
      dropped: (n: number) => {
        dropped += n;
      },
      release: async () => {
        released++;
      },
    } satisfies Pick<BatchingSenderOptions<number>, "send" | "dropped" | "release">,
  };
}

/** A sender on the fake transport: 100 items, batches of 2, a 20 ms linger, unless overridden. */
const senderOn = (t: ReturnType<typeof fakeTransport>, o: Partial<BatchingSenderOptions<number>> = {}) =>
  new BatchingSender<number>({
    ...t.options,
    capacity: 100,
    batchSize: 2,
    lingerMs: 20,
    lingerAfterSend: true,
    ...o,
  });

const offerAll = (s: BatchingSender<number>, from: number, to: number) => {
  const taken: boolean[] = [];
  for (let i = from; i < to; i++) taken.push(s.offer(() => i));
  return taken;
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("BatchingSender", () => {
  it("refuses beyond its capacity, counting each refusal dropped without encoding it", () => {
    const t = fakeTransport();
    const s = senderOn(t, { capacity: 3, batchSize: 10 });
    const encode = vi.fn(() => 1);
    expect([s.offer(encode), s.offer(encode), s.offer(encode), s.offer(encode), s.offer(encode)]).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(encode).toHaveBeenCalledTimes(3);
    expect(s.buffered).toBe(3);
    expect(t.dropped).toBe(2);
    expect(t.sent).toEqual([]);
  });

  it("sends a full batch at once and a partial one after the linger", async () => {
    const t = fakeTransport();
    const s = senderOn(t, { batchSize: 3 });
    offerAll(s, 0, 3);
    expect(t.sent).toEqual([[0, 1, 2]]);
    await t.finishOne();
    offerAll(s, 3, 5);
    await vi.advanceTimersByTimeAsync(19);
    expect(t.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.sent).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
  });

  it("sends one batch at a time; what came meanwhile lingers unless a full batch waits", async () => {
    const t = fakeTransport();
    const s = senderOn(t);
    offerAll(s, 0, 5);
    expect(t.sent).toEqual([[0, 1]]);
    expect(s.buffered).toBe(3);
    await t.finishOne();
    // a full batch was waiting: it goes at once
    expect(t.sent).toEqual([
      [0, 1],
      [2, 3],
    ]);
    await t.finishOne();
    // one item left: it waits the linger
    expect(t.sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(20);
    expect(t.sent.at(-1)).toEqual([4]);
  });

  it("without lingerAfterSend, a backlog goes out batch after batch at once", async () => {
    const t = fakeTransport();
    const s = senderOn(t, { lingerAfterSend: false });
    offerAll(s, 0, 3);
    expect(t.sent).toEqual([[0, 1]]);
    await t.finishOne();
    expect(t.sent).toEqual([[0, 1], [2]]);
  });

  it("takes no batch while not ready, and asks again", async () => {
    const t = fakeTransport();
    let connected = false;
    const s = senderOn(t, {
      lingerAfterSend: false,
      // like the Kafka publisher: not connected, it waits a second before saying so
      ready: async () => {
        if (connected) return true;
        await new Promise((r) => setTimeout(r, 1_000));
        return false;
      },
    });
    offerAll(s, 0, 2);
    await vi.advanceTimersByTimeAsync(2_500);
    expect(t.sent).toEqual([]);
    expect(s.buffered).toBe(2);
    connected = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(t.sent).toEqual([[0, 1]]);
    expect(s.buffered).toBe(0);
  });

  it("close drains within the grace, counts the rest dropped, refuses later offers and releases", async () => {
    const t = fakeTransport();
    const s = senderOn(t, { lingerMs: 1_000 });
    offerAll(s, 0, 5);
    expect(s.closed).toBe(false);
    const closing = s.close(500);
    expect(s.closed).toBe(true);
    expect(s.offer(() => 99)).toBe(false);
    expect(t.dropped).toBe(1);
    // closing, the rest goes at once (no linger) as each send finishes
    await t.finishOne();
    expect(t.sent).toEqual([
      [0, 1],
      [2, 3],
    ]);
    // the transport hangs: at the deadline the last item is counted dropped
    await vi.advanceTimersByTimeAsync(500);
    await closing;
    expect(t.sent).toHaveLength(2);
    expect(t.dropped).toBe(2);
    expect(t.released).toBe(1);
  });

  it("a release that hangs holds close no longer than the deadline (at least 100 ms)", async () => {
    const t = fakeTransport();
    const s = senderOn(t, { capacity: 10, batchSize: 10, release: () => new Promise<void>(() => {}) });
    let done = false;
    const closing = s.close(0).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await closing;
    expect(done).toBe(true);
  });
});
