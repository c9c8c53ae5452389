// The items of an ingest body — a JSON object, a JSON array of items, or NDJSON (one per line) —
// read in pieces (issue #16 §4). A 14 MiB body parsed by one JSON.parse held the event loop, and
// every inference request in flight, for half a second. Here a byte scanner finds the array's
// elements (or the first value's end) and each element or line is parsed on its own, with a pause
// point every 64 KiB scanned and after every item, so the caller can give the loop a turn.
//
// The reading is the one the ingest always had: a body that is one JSON value is that value's
// items (an array's elements, else the value itself); anything else is read line by line, a line
// that is not JSON being one MALFORMED item. Nothing is handed out before that is decided, so a
// broken array falls back to lines as a failed JSON.parse of the whole body did.
import { parseTolerantJson } from "../adapters/tolerantJson.js";
import type { Slice } from "../monitor/loopSlicer.js";

/** An item (a line of NDJSON) that is not JSON. */
export const MALFORMED: unique symbol = Symbol("malformed");

const PAUSE: unique symbol = Symbol("pause");
type Reading<T> = Generator<typeof PAUSE, T, void>;

/** bytes scanned between pause points */
const SCAN_STEP = 64 * 1024;

const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const NL = 0x0a;

/** Every item of `body`, at once (small bodies, Kafka messages). */
export function readItemsNow(body: Buffer): unknown[] {
  const items: unknown[] = [];
  runNow(readAll(body, (x) => items.push(x)));
  return items;
}

/**
 * Call `each` with every item of `body`, in slices of the loop. NDJSON lines are handed out as they
 * are read (a flood of 20,000 events is never all alive at once); an array's elements once the
 * whole array is known to be one.
 */
export function readItems(body: Buffer, slice: Slice, each: (x: unknown) => void): Promise<void> {
  return runSliced(readAll(body, each), slice);
}

/**
 * The elements of a body that must be one JSON array (strict JSON), read in slices; the reason
 * when it is not JSON or not an array.
 */
export async function readArray(
  body: Buffer,
  slice: Slice,
): Promise<unknown[] | "malformed_json" | "wrong_shape"> {
  const s = skipWs(body, 0);
  if (body[s] !== LBRACKET) {
    try {
      JSON.parse(body.toString("utf8"));
      return "wrong_shape";
    } catch {
      return "malformed_json";
    }
  }
  return (await runSliced(arrayItems(body, s, strictParse), slice)) ?? "malformed_json";
}

function runNow<T>(g: Reading<T>): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

async function runSliced<T>(g: Reading<T>, slice: Slice): Promise<T> {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
    if (slice.due()) await slice.turn();
  }
}

function* readAll(b: Buffer, each: (x: unknown) => void): Reading<void> {
  const s = skipWs(b, 0);
  if (s === b.length) return;
  const first = b[s];
  if (first === LBRACKET) {
    const items = yield* arrayItems(b, s, tolerantParse);
    if (items) {
      for (const x of items) {
        each(x);
        yield PAUSE;
      }
      return;
    }
  } else if (first === LBRACE) {
    const end = yield* valueEnd(b, s);
    if (end >= 0 && skipWs(b, end) === b.length) {
      const x = tolerantParse(b, s, b.length);
      if (x !== MALFORMED) return each(x);
    }
  } else {
    // a bare value (a string, number, literal) is on one line
    const nl = b.indexOf(NL, s);
    if (nl < 0 || skipWs(b, nl) === b.length) {
      const x = tolerantParse(b, s, b.length);
      if (x !== MALFORMED) return each(x);
    }
  }
  yield* lines(b, each);
}

/** The elements of the array opening at `open`, or undefined when the body is not that one array. */
function* arrayItems(
  b: Buffer,
  open: number,
  parse: (b: Buffer, s: number, e: number) => unknown,
): Reading<unknown[] | undefined> {
  const items: unknown[] = [];
  const scan = new Scan();
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < b.length; i++) {
    if (scan.pauseDue()) yield PAUSE;
    const c = b[i] as number;
    if (scan.inString(c)) continue;
    if (c === LBRACKET || c === LBRACE) depth++;
    else if (c === RBRACKET || c === RBRACE) {
      if (depth > 0) {
        depth--;
        continue;
      }
      if (c !== RBRACKET) return undefined;
      // `[]`: no element; otherwise the last one
      if (items.length > 0 || skipWs(b, start) < i) {
        const x = parse(b, start, i);
        if (x === MALFORMED) return undefined;
        items.push(x);
      }
      return skipWs(b, i + 1) === b.length ? items : undefined;
    } else if (c === COMMA && depth === 0) {
      const x = parse(b, start, i);
      if (x === MALFORMED) return undefined;
      items.push(x);
      start = i + 1;
      yield PAUSE;
    }
  }
  return undefined; // never closed
}

/** The index just past the object or array opening at `open`; -1 when it never closes. */
function* valueEnd(b: Buffer, open: number): Reading<number> {
  const scan = new Scan();
  let depth = 0;
  for (let i = open; i < b.length; i++) {
    if (scan.pauseDue()) yield PAUSE;
    const c = b[i] as number;
    if (scan.inString(c)) continue;
    if (c === LBRACKET || c === LBRACE) depth++;
    else if ((c === RBRACKET || c === RBRACE) && --depth === 0) return i + 1;
  }
  return -1;
}

/** A byte scan's state: whether it is inside a JSON string, and when it should pause next. */
class Scan {
  private quoted = false;
  private escaped = false;
  private step = SCAN_STEP;

  /** True every SCAN_STEP bytes. */
  pauseDue(): boolean {
    if (--this.step > 0) return false;
    this.step = SCAN_STEP;
    return true;
  }

  /** True when `c` is part of a string (its quotes included): brackets and commas there are not structure. */
  inString(c: number): boolean {
    if (this.quoted) {
      if (this.escaped) this.escaped = false;
      else if (c === BACKSLASH) this.escaped = true;
      else if (c === QUOTE) this.quoted = false;
      return true;
    }
    if (c === QUOTE) {
      this.quoted = true;
      return true;
    }
    return false;
  }
}

/** NDJSON: each non-blank line an item. */
function* lines(b: Buffer, each: (x: unknown) => void): Reading<void> {
  let start = 0;
  while (start <= b.length) {
    let end = b.indexOf(NL, start);
    if (end < 0) end = b.length;
    const line = b.toString("utf8", start, end);
    if (line.trim() !== "") each(tolerant(line));
    start = end + 1;
    yield PAUSE;
  }
}

function tolerant(text: string): unknown {
  try {
    return parseTolerantJson(text);
  } catch {
    return MALFORMED;
  }
}

function tolerantParse(b: Buffer, s: number, e: number): unknown {
  return tolerant(b.toString("utf8", s, e));
}

function strictParse(b: Buffer, s: number, e: number): unknown {
  try {
    return JSON.parse(b.toString("utf8", s, e));
  } catch {
    return MALFORMED;
  }
}

/** The first index at or after `i` that is not JSON whitespace (b.length when none is). */
function skipWs(b: Buffer, i: number): number {
  while (i < b.length) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
  return i;
}
