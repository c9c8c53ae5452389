// Writes bench/out/{reference,current}.csv (20 features: 16 numeric, 4 categorical) and a config.

import { once } from "node:events";
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { rng } from "./lib.mjs";

export const OUT = new URL("./out/", import.meta.url).pathname;
const NUMERIC = 16;
const CATEGORICAL = 4;
const CATS = ["a", "b", "c", "d", "e", "f", "g", "h"];

async function write(file, rows, seed, shift) {
  const r = rng(seed);
  const out = createWriteStream(file);
  const header = [
    ...Array.from({ length: NUMERIC }, (_, i) => `n${i}`),
    ...Array.from({ length: CATEGORICAL }, (_, i) => `c${i}`),
    "prediction",
  ];
  out.write(`${header.join(",")}\n`);
  let buf = "";
  for (let i = 0; i < rows; i++) {
    const cells = [];
    for (let f = 0; f < NUMERIC; f++) cells.push((r.normal() * (f + 1) + shift).toFixed(3));
    for (let f = 0; f < CATEGORICAL; f++) cells.push(CATS[Math.floor(r.next() ** (1 + shift) * CATS.length)]);
    cells.push(r.next().toFixed(4));
    buf += `${cells.join(",")}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, "drain");
      buf = "";
    }
  }
  out.end(buf);
  await once(out, "finish");
}

export async function makeBatchData(referenceRows = 1_000_000, currentRows = 100_000) {
  mkdirSync(OUT, { recursive: true });
  const ref = `${OUT}reference-${referenceRows}.csv`;
  const cur = `${OUT}current-${currentRows}.csv`;
  if (!existsSync(ref)) await write(ref, referenceRows, 11, 0);
  if (!existsSync(cur)) await write(cur, currentRows, 12, 0.2);
  const features = [
    ...Array.from({ length: NUMERIC }, (_, i) => `      - {name: n${i}, type: numeric}`),
    ...Array.from({ length: CATEGORICAL }, (_, i) => `      - {name: c${i}, type: categorical}`),
  ];
  const cfg = `${OUT}bench.yaml`;
  writeFileSync(
    cfg,
    `models:\n  - name: bench\n    task: regression\n    features:\n${features.join("\n")}\n`,
  );
  return { ref, cur, cfg };
}
