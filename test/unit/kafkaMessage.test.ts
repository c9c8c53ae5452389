// Reading Kafka messages (predictions and labels topics) and recognising redeliveries by offset.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readLabelMessage, readPredictionMessage } from "../../src/kafka/kafkaMessage.js";
import { OffsetWatermark } from "../../src/kafka/offsetWatermark.js";

const b = (s: string) => Buffer.from(s);

describe("predictions topic messages", () => {
  it("reads an InferenceEvent; the key is the id when the event has none", () => {
    const r = readPredictionMessage(
      b('{"model":"credit","features":{"x":1},"prediction":0.3,"time":5}'),
      b("req-1"),
      9,
    );
    expect(r).toEqual({
      ok: true,
      events: [{ model: "credit", id: "req-1", features: { x: 1 }, prediction: 0.3, time: 5 }],
      versions: [undefined],
    });
    const own = readPredictionMessage(b('{"model":"m","id":"own","version":"2","features":{}}'), b("k"), 9);
    expect(own.ok && own.events[0]?.id).toBe("own");
    expect(own.ok && own.versions[0]).toBe("2");
  });

  it("counts poison by outcome", () => {
    expect(readPredictionMessage(b("{oops"), null, 0)).toEqual({ ok: false, outcome: "malformed_json" });
    expect(readPredictionMessage(b("\u0000\u0001"), null, 0)).toEqual({
      ok: false,
      outcome: "malformed_json",
    });
    expect(readPredictionMessage(b('{"model":"m"}'), b("k"), 0)).toEqual({
      ok: false,
      outcome: "wrong_shape",
    });
    expect(readPredictionMessage(b('{"model":"m","features":{}}'), null, 0)).toEqual({
      ok: false,
      outcome: "wrong_shape", // no id and no key: nothing to join by
    });
    expect(readPredictionMessage(null, b("k"), 0)).toEqual({ ok: false, outcome: "wrong_shape" });
    expect(readPredictionMessage(b("[]"), b("k"), 0)).toEqual({ ok: false, outcome: "wrong_shape" });
  });

  it("never throws on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.option(fc.string()), (bytes, key) => {
        const r = readPredictionMessage(Buffer.from(bytes), key === null ? null : b(key), 0);
        expect(typeof r.ok).toBe("boolean");
        const l = readLabelMessage(Buffer.from(bytes), key === null ? null : b(key));
        expect(typeof l.ok).toBe("boolean");
      }),
    );
  });
});

describe("labels topic messages", () => {
  it("reads JSON for the join; an object without id takes the message key", () => {
    expect(readLabelMessage(b('{"model":"credit","id":"a","label":"1"}'), b("k"))).toEqual({
      ok: true,
      json: { model: "credit", id: "a", label: "1" },
    });
    expect(readLabelMessage(b('{"model":"house","value":3.5}'), b("k"))).toEqual({
      ok: true,
      json: { model: "house", id: "k", value: 3.5 },
    });
  });

  it("counts what is not JSON as malformed", () => {
    expect(readLabelMessage(b("[1,"), null)).toEqual({ ok: false, outcome: "malformed_json" });
    expect(readLabelMessage(null, b("k"))).toEqual({ ok: false, outcome: "malformed_json" });
  });
});

describe("OffsetWatermark", () => {
  it("accepts each offset of a partition once, whatever the redelivery order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat(50)), { maxLength: 200 }),
        (seen) => {
          const w = new OffsetWatermark();
          const applied = new Set<string>();
          for (const [p, o] of seen) {
            if (w.advance("t", p, o)) {
              const k = `${p}:${o}`;
              expect(applied.has(k)).toBe(false); // never twice
              applied.add(k);
            }
          }
        },
      ),
    );
  });

  it("recognises a redelivery from the last committed offset", () => {
    const w = new OffsetWatermark();
    for (let o = 0; o < 10; o++) expect(w.advance("t", 0, o)).toBe(true);
    // Kafka resends from committed offset 6 after a rejoin
    expect([6, 7, 8, 9].map((o) => w.advance("t", 0, o))).toEqual([false, false, false, false]);
    expect(w.advance("t", 0, 10)).toBe(true);
    expect(w.advance("t", 1, 0)).toBe(true); // partitions are independent
    expect(w.advance("u", 0, 0)).toBe(true); // and topics
  });
});
