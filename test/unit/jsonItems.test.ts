// Ingest bodies read in pieces (jsonItems.ts) give exactly the items the whole-body reading gave:
// one JSON value (an array's elements, else the value), otherwise NDJSON line by line.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTolerantJson } from "../../src/adapters/tolerantJson.js";
import { MALFORMED, readArray, readItems, readItemsNow } from "../../src/ingest/jsonItems.js";
import { LoopSlicer } from "../../src/monitor/loopSlicer.js";

const OLD_MALFORMED = Symbol("old malformed");

/** The reading before slicing: JSON.parse of the whole body, else its lines. */
function wholeBodyItems(body: Buffer): unknown[] {
  const text = body.toString("utf8");
  try {
    const x = parseTolerantJson(text);
    return Array.isArray(x) ? x : [x];
  } catch {
    const items: unknown[] = [];
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        items.push(parseTolerantJson(line));
      } catch {
        items.push(OLD_MALFORMED);
      }
    }
    return items;
  }
}

const same = (items: unknown[]) => items.map((x) => (x === MALFORMED ? OLD_MALFORMED : x));

/** Every item, read in slices. */
async function sliced(body: Buffer, slice: ReturnType<typeof everyPause>): Promise<unknown[]> {
  const items: unknown[] = [];
  await readItems(body, slice, (x) => items.push(x));
  return items;
}

/** A slicer whose every slice is used up at once: a pause at every pause point. */
const everyPause = () => {
  let t = 0;
  return new LoopSlicer({ sliceMs: 1, now: () => t++ }).start();
};

const value = fc.jsonValue({ maxDepth: 3 });
const bodies = fc.oneof(
  fc.array(value, { maxLength: 8 }).map((xs) => JSON.stringify(xs)),
  fc.array(value, { maxLength: 8 }).map((xs) => JSON.stringify(xs, null, 2)),
  value.map((x) => JSON.stringify(x)),
  value.map((x) => ` ${JSON.stringify(x, null, 1)}\n\n`),
  fc
    .tuple(fc.array(value, { maxLength: 8 }), fc.constantFrom("\n", "\r\n", "\n\n"))
    .map(([xs, nl]) => xs.map((x) => JSON.stringify(x)).join(nl)),
  fc.string(),
);
/** a body with a few characters that matter to a JSON scanner put in or taken out */
const damaged = fc
  .tuple(
    bodies,
    fc.array(fc.tuple(fc.nat(), fc.constantFrom("[", "]", "{", "}", '"', "\\", ",", "\n", " ", "NaN", "")), {
      maxLength: 3,
    }),
  )
  .map(([text, edits]) => {
    let t = text;
    for (const [at, s] of edits) {
      const i = t.length === 0 ? 0 : at % (t.length + 1);
      t = s === "" ? t.slice(0, i) + t.slice(i + 1) : t.slice(0, i) + s + t.slice(i);
    }
    return t;
  });

describe("ingest body items", () => {
  it("are the items the whole-body reading gave, for well-formed and damaged bodies", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(bodies, damaged), async (text) => {
        const body = Buffer.from(text);
        const expected = wholeBodyItems(body);
        expect(same(readItemsNow(body))).toEqual(expected);
        expect(same(await sliced(body, everyPause()))).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it("read the known shapes", () => {
    const items = (s: string) => same(readItemsNow(Buffer.from(s)));
    expect(items('[{"a":1}, {"b":[2,"],"]}]')).toEqual([{ a: 1 }, { b: [2, "],"] }]);
    expect(items("[]")).toEqual([]);
    expect(items(" [ ] ")).toEqual([]);
    expect(items('{"a":1}\n{"b":2}\n')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(items('{"a":1}\nnot json\n{"b":2}')).toEqual([{ a: 1 }, OLD_MALFORMED, { b: 2 }]);
    // a broken array is read line by line, as a failed parse of the whole body was
    expect(items('[{"a":1},\n{"b":2},]')).toEqual([OLD_MALFORMED, OLD_MALFORMED]);
    expect(items("[NaN, 1]")).toEqual([Number.NaN, 1]);
    expect(items("")).toEqual([]);
  });

  it("pause while scanning a large body, not only between items", async () => {
    // one 1 MiB string inside one element: the scanner itself must stop along the way
    const body = Buffer.from(JSON.stringify([{ s: "x".repeat(1 << 20) }, 1]));
    let pauses = 0;
    let t = 0;
    const slice = new LoopSlicer({ sliceMs: 1, now: () => t++, onWork: () => pauses++ }).start();
    const items = await sliced(body, slice);
    expect(items).toHaveLength(2);
    expect(pauses).toBeGreaterThanOrEqual(16);
  });

  it("readArray tells a body that is not an array from one that is not JSON", async () => {
    const read = (s: string) => readArray(Buffer.from(s), everyPause());
    expect(await read('[{"a":1},2]')).toEqual([{ a: 1 }, 2]);
    expect(await read('{"a":1}')).toBe("wrong_shape");
    expect(await read("[1,")).toBe("malformed_json");
    expect(await read("[NaN]")).toBe("malformed_json"); // strict, as KServe's Go marshaller writes
    expect(await read("nope")).toBe("malformed_json");
  });
});
