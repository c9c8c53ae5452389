// One memory measurement: RSS before and after `n` predictions are pending in one store (ids made
// as the tap makes them, crypto.randomUUID, and kept only by the store). Prints JSON.
import { randomUUID } from "node:crypto";
import { STORES } from "./stores.mjs";

const [kind, nText] = process.argv.slice(2);
const n = Number(nText);
const make = STORES[kind];
if (!make || !(n > 0)) throw new Error("usage: joinMemoryChild.mjs infermon|store|naive N");
const settle = () => {
  for (let i = 0; i < 3; i++) globalThis.gc();
  return process.memoryUsage();
};
const store = make(n);
const before = settle();
const t = Date.now();
for (let i = 0; i < n; i++) store.prediction(randomUUID(), i & 1 ? "1" : "0", t);
const after = settle();
// keep the store alive past the measurement
if (store.label(randomUUID(), "1", t) === undefined) console.error("?");
process.stdout.write(
  JSON.stringify({
    rss: after.rss - before.rss,
    heap: after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers,
  }),
);
