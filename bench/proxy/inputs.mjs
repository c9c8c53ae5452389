// The proxy benchmarks' inputs, defined once: uniform credit rows (drawn from the caller's uniform
// generator, so each script keeps its own seed and its figures stay comparable), a reference profile
// built from them, and a 14-row OIP v2 request with its id padded to an exact size.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const { ProfileBuilder } = await import(join(root, "dist/stats/profileBuilder.js"));

/** A row generator over `next()` (uniform in [0, 1)). */
export const uniformCreditRow = (next) => () => ({
  income: Math.round(20_000 + 100_000 * next()),
  age: Math.floor(18 + 62 * next()),
  score: Math.round(300 + 550 * next()),
  region: ["north", "south", "east", "west"][Math.floor(4 * next())],
  probability: next(),
});

/** The reference profile of `n` rows from `row()`, built the way `infermon baseline` does (two passes). */
export function referenceProfile(model, row, n = 5000) {
  const pb = new ProfileBuilder(model);
  const rows = Array.from({ length: n }, row);
  for (const x of rows) pb.observe(x);
  pb.fixBins();
  for (const x of rows) pb.count(x);
  return pb.build();
}

/** An OIP v2 request (JSON text) for `rows`, one tensor per feature. */
export function oipRequest(rows, id) {
  const n = rows.length;
  const col = (name, dt) => ({ name, shape: [n], datatype: dt, data: rows.map((x) => x[name]) });
  return JSON.stringify({
    id,
    inputs: [col("income", "FP64"), col("age", "INT64"), col("score", "FP64"), col("region", "BYTES")],
  });
}

/** `body` with the string `id` replaced by b's so that the whole body is exactly `bytes` long. */
export function padId(body, id, bytes) {
  const out = body.replace(`"${id}"`, `"${"b".repeat(bytes - body.length + id.length)}"`);
  if (Buffer.byteLength(out) !== bytes)
    throw new Error(`body is ${Buffer.byteLength(out)} bytes, not ${bytes}`);
  return out;
}
