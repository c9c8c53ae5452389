// Join semantics of the label join store: in order, label first, duplicates, ttl expiry, eviction
// at max entries, and growth of the ring keeping every id findable.
import { describe, expect, it } from "vitest";
import { JoinStore } from "../../src/labels/joinStore.js";

function recorder() {
  const joins: { prediction: number; label: number; version: number; delayMs: number }[] = [];
  const counts = { expired: 0, unmatched: 0 };
  return {
    joins,
    counts,
    sink: {
      joined: (prediction: number, label: number, version: number, delayMs: number) =>
        joins.push({ prediction, label, version, delayMs }),
      expired: (n: number) => {
        counts.expired += n;
      },
      unmatched: (n: number) => {
        counts.unmatched += n;
      },
    },
  };
}

describe("JoinStore", () => {
  it("finds a prediction by its alias (the tap's x-request-id beside a body id), before or after", () => {
    const r = recorder();
    const s = new JoinStore(60_000, 100, r.sink);
    // label after: by the alias, then the body id is a duplicate
    expect(s.addPrediction("body-1", 1, 0, 1_000, 1_000, undefined, "xrid-1")).toBe("pending");
    expect(s.addLabel("xrid-1", 1, 2_000, 2_000)).toBe("matched");
    expect(s.addLabel("body-1", 1, 2_000, 2_000)).toBe("duplicate");
    // label first, under the alias: joins the prediction that names it; the body id then finds it
    expect(s.addLabel("xrid-2", 0, 3_000, 3_000)).toBe("waiting");
    expect(s.addPrediction("body-2", 1, 0, 2_500, 3_100, undefined, "xrid-2")).toBe("joined");
    expect(s.addLabel("body-2", 0, 3_200, 3_200)).toBe("duplicate");
    expect(r.joins.length).toBe(2);
    expect(s.pendingPredictions).toBe(0);
    expect(s.waitingLabels).toBe(0);
  });

  it("never lets a reused alias swallow another prediction, and forgets aliases with their entry", () => {
    const r = recorder();
    const s = new JoinStore(10_000, 100, r.sink);
    expect(s.addPrediction("p1", 1, 0, 0, 0, undefined, "same")).toBe("pending");
    // a client sending one fixed x-request-id: the second prediction is its own, not a duplicate
    expect(s.addPrediction("p2", 0, 0, 0, 1, undefined, "same")).toBe("pending");
    expect(s.addLabel("p2", 0, 2, 2)).toBe("matched");
    expect(r.joins).toEqual([{ prediction: 0, label: 0, version: 0, delayMs: 2 }]);
    // past the ttl both ids are gone: a late label under the alias waits, never joins the old one
    expect(s.addLabel("same", 1, 20_000, 20_000)).toBe("waiting");
    expect(r.counts.expired).toBe(1);
  });

  it("joins a label to its prediction (in order) with the label delay", () => {
    const r = recorder();
    const s = new JoinStore(60_000, 100, r.sink);
    expect(s.addPrediction("a", 1, 0, 1_000, 1_000)).toBe("pending");
    expect(s.pendingPredictions).toBe(1);
    expect(s.addLabel("a", 0, 4_000, 4_500)).toBe("matched");
    expect(r.joins).toEqual([{ prediction: 1, label: 0, version: 0, delayMs: 3_000 }]);
    expect(s.pendingPredictions).toBe(0);
  });

  it("keeps a label that arrives first until its prediction comes (within the ttl)", () => {
    const r = recorder();
    const s = new JoinStore(60_000, 100, r.sink);
    expect(s.addLabel("b", 2, 5_000, 5_000)).toBe("waiting");
    expect(s.waitingLabels).toBe(1);
    expect(s.addPrediction("b", 2, 3, 4_000, 6_000)).toBe("joined");
    expect(r.joins).toEqual([{ prediction: 2, label: 2, version: 3, delayMs: 1_000 }]);
    expect(s.waitingLabels).toBe(0);
    expect(s.pendingPredictions).toBe(0);
  });

  it("never counts a second label (or a repeated prediction) twice", () => {
    const r = recorder();
    const s = new JoinStore(60_000, 100, r.sink);
    s.addPrediction("c", 1, 0, 0, 0);
    expect(s.addLabel("c", 1, 1, 1)).toBe("matched");
    expect(s.addLabel("c", 1, 2, 2)).toBe("duplicate");
    // a label that says otherwise is a conflict (policy `first`: the first one stands)
    expect(s.addLabel("c", 0, 2, 2)).toBe("conflict");
    expect(s.addPrediction("c", 1, 0, 3, 3)).toBe("duplicate");
    // label first, then the same label again before the prediction
    expect(s.addLabel("d", 1, 4, 4)).toBe("waiting");
    expect(s.addLabel("d", 1, 5, 5)).toBe("duplicate");
    expect(s.addPrediction("d", 1, 0, 6, 6)).toBe("joined");
    // a redelivered prediction while it still waits
    expect(s.addPrediction("e", 0, 0, 7, 7)).toBe("pending");
    expect(s.addPrediction("e", 0, 0, 8, 8)).toBe("duplicate");
    expect(s.pendingPredictions).toBe(1);
    expect(r.joins).toHaveLength(2);
  });

  it("expires predictions and early labels after the ttl, counted apart", () => {
    const r = recorder();
    const s = new JoinStore(10_000, 100, r.sink);
    s.addPrediction("p1", 1, 0, 0, 0);
    s.addLabel("l1", 1, 1_000, 1_000);
    s.addPrediction("p2", 1, 0, 5_000, 5_000);
    s.expire(9_999);
    expect(r.counts).toEqual({ expired: 0, unmatched: 0 });
    s.expire(11_000);
    expect(r.counts).toEqual({ expired: 1, unmatched: 1 });
    expect(s.pendingPredictions).toBe(1);
    // an expired prediction no longer joins: its label now waits, and expires unmatched in turn
    expect(s.addLabel("p1", 1, 11_000, 11_000)).toBe("waiting");
    s.expire(30_000);
    expect(r.counts).toEqual({ expired: 2, unmatched: 2 });
    expect(s.size).toBe(0);
  });

  it("holds at most maxEntries: the oldest is evicted first and counted as expired", () => {
    const r = recorder();
    const s = new JoinStore(1e9, 3, r.sink);
    for (const id of ["a", "b", "c"]) s.addPrediction(id, 0, 0, 0, 0);
    s.addPrediction("d", 0, 0, 0, 0);
    expect(r.counts.expired).toBe(1);
    expect(s.size).toBe(3);
    expect(s.addLabel("a", 0, 1, 1)).toBe("waiting"); // a is gone (and the label evicts b)
    expect(r.counts.expired).toBe(2);
    expect(s.addLabel("c", 0, 1, 1)).toBe("matched");
    expect(s.addLabel("d", 0, 1, 1)).toBe("matched");
    // joined entries are evicted silently (they only remember ids for duplicates)
    s.addPrediction("x", 0, 0, 2, 2);
    s.addPrediction("y", 0, 0, 2, 2);
    expect(r.counts).toEqual({ expired: 2, unmatched: 0 });
  });

  it("finds every id after the ring grew many times, and wraps around", () => {
    const r = recorder();
    const s = new JoinStore(1e12, 5_000, r.sink);
    for (let i = 0; i < 20_000; i++) s.addPrediction(`id-${i}`, i % 2, 0, i, i);
    expect(s.size).toBe(5_000);
    expect(r.counts.expired).toBe(15_000);
    for (let i = 15_000; i < 20_000; i++) expect(s.addLabel(`id-${i}`, i % 2, i, 20_000)).toBe("matched");
    expect(s.addLabel("id-14999", 0, 0, 20_000)).toBe("waiting");
    expect(r.joins).toHaveLength(5_000);
  });

  it("forgets everything on clear and says how much was waiting", () => {
    const r = recorder();
    const s = new JoinStore(60_000, 100, r.sink);
    s.addPrediction("a", 0, 0, 0, 0);
    s.addPrediction("b", 0, 0, 0, 0);
    s.addLabel("c", 0, 0, 0);
    expect(s.clear()).toEqual({ predictions: 2, labels: 1 });
    expect(s.size).toBe(0);
    expect(s.addLabel("a", 0, 0, 0)).toBe("waiting");
  });
});

describe("JoinStore edge cases", () => {
  it("never joins past the ttl, even when nothing swept in between (the boundary is exclusive)", () => {
    const r = recorder();
    const s = new JoinStore(1_000, 100, r.sink);
    s.addPrediction("a", 1, 0, 0, 0);
    s.addPrediction("b", 1, 0, 0, 0);
    // one ms before the ttl: still joins
    expect(s.addLabel("a", 1, 999, 999)).toBe("matched");
    // at the ttl: the prediction has expired, so the label waits (and later counts unmatched)
    expect(s.addLabel("b", 1, 1_000, 1_000)).toBe("waiting");
    expect(r.counts.expired).toBe(1);
    expect(r.joins).toHaveLength(1);
    // a label first, its prediction after the ttl: a new pending prediction, the label unmatched
    s.addLabel("c", 1, 2_000, 2_000);
    expect(s.addPrediction("c", 1, 0, 3_000, 3_000)).toBe("pending");
    expect(r.counts.unmatched).toBe(2);
    // a second label for a joined id after the ttl is no duplicate any more: it waits
    expect(s.addLabel("a", 1, 5_000, 5_000)).toBe("waiting");
  });

  it("survives the clock going backwards: joins once, and still expires by the later clock", () => {
    const r = recorder();
    const s = new JoinStore(1_000, 100, r.sink);
    s.addPrediction("a", 1, 0, 10_000, 10_000);
    // the clock steps back 5 s: the prediction is still there, the delay is never negative
    expect(s.addLabel("a", 0, 5_000, 5_000)).toBe("matched");
    expect(r.joins[0]?.delayMs).toBe(0);
    expect(s.addLabel("a", 0, 5_001, 5_001)).toBe("duplicate");
    s.addPrediction("b", 1, 0, 5_002, 5_002);
    s.expire(11_000);
    expect(s.size).toBe(0);
    expect(r.counts.expired).toBe(1);
    expect(r.joins).toHaveLength(1);
  });
});

describe("conflicting labels", () => {
  function run(policy: "first" | "last" | "reject_conflicts") {
    const joins: string[] = [];
    const s = new JoinStore(
      60_000,
      100,
      {
        joined: (p, l) => joins.push(`+${p}/${l}`),
        unjoined: (p, l) => joins.push(`-${p}/${l}`),
        expired: () => {},
        unmatched: () => {},
      },
      { policy },
    );
    // forged label first, then the truth, then the prediction (the attack)
    const early = [s.addLabel("x", 0, 1, 1), s.addLabel("x", 1, 2, 2), s.addPrediction("x", 1, 0, 0, 3)];
    // prediction, a forged label that joins, then the truth
    const late = [s.addPrediction("y", 1, 0, 0, 4), s.addLabel("y", 0, 5, 5), s.addLabel("y", 1, 6, 6)];
    // a third label after a conflict
    const third = s.addLabel("y", 1, 7, 7);
    return { early, late, third, joins };
  }

  it("first: the first label stands; later ones are counted as conflicts", () => {
    const r = run("first");
    expect(r.early).toEqual(["waiting", "conflict", "joined"]);
    expect(r.late).toEqual(["pending", "matched", "conflict"]);
    expect(r.joins).toEqual(["+1/0", "+1/0"]);
  });

  it("last: the latest label stands; a counted join is taken back and counted anew", () => {
    const r = run("last");
    expect(r.early).toEqual(["waiting", "conflict", "joined"]);
    expect(r.late).toEqual(["pending", "matched", "conflict"]);
    expect(r.third).toBe("duplicate");
    expect(r.joins).toEqual(["+1/1", "+1/0", "-1/0", "+1/1"]);
  });

  it("reject_conflicts: disagreeing labels void the id; nothing of it is counted", () => {
    const r = run("reject_conflicts");
    expect(r.early).toEqual(["waiting", "conflict", "conflict"]);
    expect(r.late).toEqual(["pending", "matched", "conflict"]);
    expect(r.third).toBe("conflict");
    // y's forged join was counted, then taken back; x never joined
    expect(r.joins).toEqual(["+1/0", "-1/0"]);
  });
});

describe("fair eviction across sources", () => {
  it("a flood from one source evicts its own entries, never another's held within its share", () => {
    const evicted = new Map<number, number>();
    const s = new JoinStore(86_400_000, 1_000, {
      joined: () => {},
      expired: () => {},
      unmatched: () => {},
      evicted: (n, src) => evicted.set(src, (evicted.get(src) ?? 0) + n),
    });
    // source 0 (the tap) holds 400 pending predictions
    for (let i = 0; i < 400; i++) s.addPrediction(`p-${i}`, 1, 0, i, i, { source: 0 });
    // source 1 floods 100,000 labels of fresh ids (the NDJSON flood)
    for (let i = 0; i < 100_000; i++) s.addLabel(`f-${i}`, 1, 1000 + i, 1000 + i, { source: 1 });
    expect(s.sourceSize(0)).toBe(400);
    expect(s.sourceSize(1)).toBe(600);
    expect(evicted.get(0)).toBeUndefined();
    expect(evicted.get(1)).toBe(100_000 - 600);
    // every held prediction still joins
    let joined = 0;
    for (let i = 0; i < 400; i++)
      if (s.addLabel(`p-${i}`, 1, 200_000, 200_000, { source: 2 }) === "matched") joined++;
    expect(joined).toBe(400);
  });

  it("a source past max_pending_per_source evicts its own oldest", () => {
    const s = new JoinStore(
      60_000,
      1_000,
      { joined: () => {}, expired: () => {}, unmatched: () => {} },
      { maxPerSource: 100 },
    );
    for (let i = 0; i < 500; i++) s.addLabel(`f-${i}`, 1, i, i, { source: 3 });
    expect(s.sourceSize(3)).toBe(100);
    expect(s.size).toBe(100);
  });
});
