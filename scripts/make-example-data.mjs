// Run after `npm run build` (the credit rows come from src/demo/creditData.ts).
// Writes the deterministic example data in examples/data/ (training, current without drift,
// current with drift) for the credit and house-price models. Run: node scripts/make-example-data.mjs
import { mkdirSync, writeFileSync } from "node:fs";
import { creditRow, rng } from "../dist/demo/creditData.js";

function houseRow(r, drift) {
  const sqft = Math.round(Math.max(300, 1600 + 550 * r.normal() + (drift ? 300 : 0)));
  const rooms = Math.max(1, Math.min(8, Math.round(sqft / 550 + r.normal() * 0.7)));
  const city = r.pick(
    ["lisbon", "porto", "braga", "faro", "coimbra"],
    drift ? [15, 40, 20, 15, 10] : [40, 25, 15, 10, 10],
  );
  const price = Math.round(sqft * (city === "lisbon" ? 420 : 260) * (1 + 0.08 * r.normal()));
  return { sqft, rooms, city, price, label: Math.round(price * (1 + 0.05 * r.normal())) };
}

function csv(rows) {
  const cols = Object.keys(rows[0]);
  return `${cols.join(",")}\n${rows.map((row) => cols.map((c) => row[c]).join(",")).join("\n")}\n`;
}
const jsonl = (rows) => `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`;
const make = (seed, n, f, drift) => {
  const r = rng(seed);
  return Array.from({ length: n }, () => f(r, drift));
};

mkdirSync("examples/data", { recursive: true });
writeFileSync("examples/data/credit-train.csv", csv(make(1, 5000, creditRow, false)));
writeFileSync("examples/data/credit-current-ok.csv", csv(make(2, 1000, creditRow, false)));
writeFileSync("examples/data/credit-current-drifted.csv", csv(make(3, 1000, creditRow, true)));
writeFileSync("examples/data/house-price-train.jsonl", jsonl(make(4, 3000, houseRow, false)));
writeFileSync("examples/data/house-price-current.jsonl", jsonl(make(5, 600, houseRow, true)));
