// One memory measurement: RSS before and after `n` predictions are pending in one store (ids made
// as the tap makes them, crypto.randomUUID, and kept only by the store; with a length, a UUID
// padded or cut to that many characters, built by concatenation as ids from traffic are). Prints JSON.
import { randomUUID } from "node:crypto";
import { STORES } from "./stores.mjs";

const [kind, nText, lenText] = process.argv.slice(2);
const n = Number(nText);
const len = lenText === undefined ? undefined : Number(lenText);
const PAD = "abcdefghijklmnopqrstuvwxyz0123456789".repeat(20);
/** A unique id of `len` characters (a UUID, cut or padded), or a plain UUID. */
const makeId = (i) => {
  if (len === undefined) return randomUUID();
  const u = `${i.toString(36)}-${randomUUID()}`;
  const id = u.length >= len ? u.slice(0, len) : u + PAD.slice(0, len - u.length);
  // a fresh flat string, as JSON.parse or a header value gives (a slice would keep its parent)
  return Buffer.from(id, "latin1").toString("latin1");
};
const make = STORES[kind];
if (!make || !(n > 0)) throw new Error("usage: joinMemoryChild.mjs infermon|store|naive N");
const settle = () => {
  for (let i = 0; i < 3; i++) globalThis.gc();
  return process.memoryUsage();
};
const store = make(n);
const before = settle();
const t = Date.now();
for (let i = 0; i < n; i++) store.prediction(makeId(i), i & 1 ? "1" : "0", t);
const after = settle();
// keep the store alive past the measurement
if (store.label(randomUUID(), "1", t) === undefined) console.error("?");
process.stdout.write(
  JSON.stringify({
    rss: after.rss - before.rss,
    heap: after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers,
  }),
);
