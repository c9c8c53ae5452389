// One rule for "a number" in every source (ADR 0009): a finite double is binned; anything not
// finite — `1e309`, `inf`, `Infinity`, `NaN`, `-inf`, however written — is invalid. Checked on the
// pure reader, on every protocol adapter (the value as the protocol carries it, then binned by the
// shared layout) and on CSV and JSONL files.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { DecodeResult, Exchange } from "../../src/adapters/inferenceEvent.js";
import { jsonPaths } from "../../src/adapters/jsonPaths.js";
import { decodeTensor } from "../../src/adapters/oipBinary.js";
import { openaiChat } from "../../src/adapters/openaiChat.js";
import { openInferenceV2 } from "../../src/adapters/openInferenceV2.js";
import { tfServing } from "../../src/adapters/tfServing.js";
import { forEachRow } from "../../src/batch/dataFile.js";
import { parseConfig } from "../../src/config/load.js";
import type { ModelConfig } from "../../src/config/model.js";
import { BinLayout, INVALID_BIN } from "../../src/stats/binLayout.js";
import { finiteNumber } from "../../src/stats/finiteNumber.js";
import type { Profile } from "../../src/stats/profile.js";
import { RowCounter } from "../../src/stats/rowCounter.js";
import { INVALID_VALUE, readNumber } from "../../src/stats/values.js";

const config = parseConfig(`
models:
  - {name: oip, task: regression, protocol: open-inference-v2, features: [{name: x, type: numeric}]}
  - {name: tf, task: regression, protocol: tf-serving, features: [{name: x, type: numeric}]}
  - {name: js, task: regression, protocol: json, json: {features: rows}, features: [{name: x, type: numeric}]}
  - {name: chat, task: regression, protocol: openai-chat}
`);
const model = (n: string) => config.models.find((m) => m.name === n) as ModelConfig;

const profile = (name: string): Profile => ({
  schema: "infermon.profile",
  schema_version: 2,
  model: name,
  model_version: "unknown",
  rows: 2,
  features: [
    {
      name: "x",
      type: "numeric",
      layout: "edges",
      layout_reason: "",
      edges: [0],
      counts: [1, 1],
      missing: 0,
      invalid: 0,
    },
  ],
});
const layoutOf = (name: string) => BinLayout.fromProfile(profile(name), model(name));

/** Text of a non-finite number, however written: infinity words in any case, NaN, overflowing exponents. */
const nonFiniteText = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("", "+", "-"),
      fc.constantFrom("inf", "Inf", "INF", "infinity", "Infinity", "INFINITY", "nan", "NaN", "NAN"),
    )
    .map(([s, w]) => s + w),
  fc
    .tuple(
      fc.constantFrom("", "-", "+"),
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 309, max: 100_000 }),
    )
    .map(([s, m, e]) => `${s}${m}e${e}`),
  fc
    .tuple(fc.constantFrom("", "-"), fc.integer({ min: 1, max: 9 }))
    .map(([s, m]) => `${s}${m}${"0".repeat(310)}`),
);
/** JSON number literals that overflow to ±Infinity when parsed. */
const overflowLiteral = fc
  .tuple(fc.constantFrom("", "-"), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 309, max: 100_000 }))
  .map(([s, m, e]) => `${s}${m}e${e}`);
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const finiteText = finite.chain((d) =>
  fc
    .constantFrom(String(d), d.toExponential(), d.toPrecision(17), ` ${String(d)} `)
    .map((t) => [d, t] as const),
);
const padded = (t: fc.Arbitrary<string>) =>
  fc.tuple(fc.constantFrom("", " ", "\t"), t, fc.constantFrom("", " ")).map(([a, b, c]) => a + b + c);

const ex = (request: string, response?: string): Exchange => ({
  request: Buffer.from(request),
  response: response === undefined ? undefined : Buffer.from(response),
  requestId: "r",
  time: 1,
});
const featureX = (r: DecodeResult): unknown => {
  if (r.kind !== "events") throw new Error(`expected events, got ${JSON.stringify(r)}`);
  return r.events[0]?.features.x;
};

describe("finiteNumber / readNumber", () => {
  it("a finite number, as a number or in any textual form, reads as itself", () => {
    fc.assert(
      fc.property(finiteText, ([d, t]) => {
        expect(finiteNumber(d)).toBe(d);
        expect(readNumber(t)).toBe(Number(t.trim()));
        expect(Number.isFinite(readNumber(t))).toBe(true);
      }),
    );
  });
  it("a non-finite number, however written, is invalid", () => {
    fc.assert(
      fc.property(padded(nonFiniteText), (t) => {
        expect(finiteNumber(t)).toBeUndefined();
        expect(readNumber(t)).toBe(INVALID_VALUE);
      }),
    );
    for (const x of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
      expect(readNumber(x)).toBe(INVALID_VALUE);
  });
});

describe("every protocol adapter bins by the same rule", () => {
  const cases = [
    {
      name: "oip",
      body: (lit: string) => `{"inputs":[{"name":"x","shape":[1],"datatype":"FP64","data":[${lit}]}]}`,
    },
    { name: "tf", body: (lit: string) => `{"instances":[{"x":${lit}}]}` },
    { name: "js", body: (lit: string) => `{"rows":[{"x":${lit}}]}` },
  ];
  for (const c of cases) {
    const adapter =
      c.name === "oip"
        ? openInferenceV2(model(c.name))
        : c.name === "tf"
          ? tfServing(model(c.name))
          : jsonPaths(model(c.name));
    const layout = layoutOf(c.name);
    const slot = layout.slots[0]!;
    it(`${c.name}: non-finite values (JSON literal or text) are invalid, finite ones binned`, () => {
      fc.assert(
        fc.property(overflowLiteral, nonFiniteText, finiteText, (lit, text, [, ft]) => {
          expect(layout.binOf(slot, featureX(adapter.decode(ex(c.body(lit)))))).toBe(INVALID_BIN);
          expect(layout.binOf(slot, featureX(adapter.decode(ex(c.body(JSON.stringify(text))))))).toBe(
            INVALID_BIN,
          );
          expect(layout.binOf(slot, featureX(adapter.decode(ex(c.body(ft.trim())))))).toBeGreaterThanOrEqual(
            0,
          );
        }),
        { numRuns: 200 },
      );
    });
  }
  it("tf-serving: the bare NaN / Infinity tokens are invalid", () => {
    const layout = layoutOf("tf");
    const tf = tfServing(model("tf"));
    for (const t of ["NaN", "Infinity", "-Infinity"])
      expect(layout.binOf(layout.slots[0]!, featureX(tf.decode(ex(`{"instances":[{"x":${t}}]}`))))).toBe(
        INVALID_BIN,
      );
  });
  it("oip binary tensors: FP16/FP32/FP64 infinities and NaN are invalid", () => {
    const layout = layoutOf("oip");
    fc.assert(
      fc.property(
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
        finite,
        (bad, ok) => {
          const b = Buffer.alloc(16);
          b.writeDoubleLE(bad, 0);
          b.writeDoubleLE(ok, 8);
          const [x, y] = decodeTensor("FP64", b) as number[];
          expect(layout.binOf(layout.slots[0]!, x)).toBe(INVALID_BIN);
          expect(layout.binOf(layout.slots[0]!, y)).toBeGreaterThanOrEqual(0);
          const f = Buffer.alloc(4);
          f.writeFloatLE(bad);
          expect(layout.binOf(layout.slots[0]!, decodeTensor("FP32", f)?.[0])).toBe(INVALID_BIN);
        },
      ),
    );
    // FP16 +inf (0x7c00), -inf (0xfc00), NaN (0x7e00)
    for (const h of [0x7c00, 0xfc00, 0x7e00]) {
      const b = Buffer.alloc(2);
      b.writeUInt16LE(h);
      expect(layout.binOf(layout.slots[0]!, decodeTensor("FP16", b)?.[0])).toBe(INVALID_BIN);
    }
  });
  it("openai-chat: overflowing token counts are not counted", () => {
    const chat = openaiChat(model("chat"));
    fc.assert(
      fc.property(overflowLiteral, (lit) => {
        const r = chat.decode(
          ex("{}", `{"usage":{"prompt_tokens":${lit},"completion_tokens":7},"choices":[]}`),
        );
        expect(r).toMatchObject({ kind: "llm", usage: { promptTokens: 0, completionTokens: 7 } });
      }),
      { numRuns: 50 },
    );
  });
});

describe("CSV and JSONL files read numbers by the same rule", () => {
  const dir = mkdtempSync(join(tmpdir(), "infermon-finite-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const layout = layoutOf("js");
  const count = async (file: string) => {
    const c = new RowCounter(layout);
    await forEachRow(file, (row) => c.add(row));
    return { invalid: c.invalid[0]!, binned: c.counts.reduce((a, b) => a + b, 0) };
  };
  it("counts every non-finite text invalid and bins every finite one", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            nonFiniteText.map((t) => ({ t, ok: false })),
            finiteText.map(([, t]) => ({ t: t.trim(), ok: true })),
          ),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        fc.array(overflowLiteral, { maxLength: 5 }),
        async (values, literals) => {
          const bad = values.filter((v) => !v.ok).length;
          const csv = join(dir, "x.csv");
          writeFileSync(csv, `x\n${values.map((v) => v.t).join("\n")}\n`);
          expect(await count(csv)).toEqual({ invalid: bad, binned: values.length - bad });
          // JSONL: as strings, and overflowing number literals (JSON.parse makes them ±Infinity)
          const jsonl = join(dir, "x.jsonl");
          const lines = [
            ...values.map((v) => JSON.stringify({ x: v.t })),
            ...literals.map((l) => `{"x": ${l}}`),
          ];
          writeFileSync(jsonl, `${lines.join("\n")}\n`);
          expect(await count(jsonl)).toEqual({ invalid: bad + literals.length, binned: values.length - bad });
        },
      ),
      { numRuns: 30 },
    );
  });
});
