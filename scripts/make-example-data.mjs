// Writes the deterministic example data in examples/data/ (training, current without drift,
// current with drift) for the credit and house-price models. Run: node scripts/make-example-data.mjs
import { mkdirSync, writeFileSync } from "node:fs";
import { rng as baseRng } from "../bench/lib.mjs";

// same seeded generator as the benchmarks, plus a weighted pick
function rng(seed) {
  const r = baseRng(seed);
  const pick = (values, weights) => {
    let u = r.next() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < values.length; i++) {
      u -= weights[i];
      if (u <= 0) return values[i];
    }
    return values[values.length - 1];
  };
  return { ...r, pick };
}

const REGIONS = ["north", "south", "east", "west", "central"];
const round = (x, d) => Number(x.toFixed(d));

function creditRow(r, drift) {
  const income = round(Math.exp(10.6 + 0.45 * r.normal()) * (drift ? 1.35 : 1), 2);
  const age = Math.max(18, Math.min(90, Math.round(42 + 12 * r.normal() + (drift ? 6 : 0))));
  const score = Math.max(300, Math.min(850, Math.round(670 + 70 * r.normal() - (drift ? 40 : 0))));
  const region = drift
    ? r.pick([...REGIONS, "islands"], [10, 10, 30, 10, 20, 20])
    : r.pick(REGIONS, [30, 25, 15, 20, 10]);
  const z = -6 + income / 40000 + (score - 600) / 60 + (age - 40) / 50;
  const probability = round(1 / (1 + Math.exp(-z)), 4);
  const label = r.next() < probability ? 1 : 0;
  // a few missing values, as real data has
  return {
    income: r.next() < 0.01 ? "" : income,
    age,
    score,
    region: r.next() < 0.005 ? "" : region,
    probability,
    label,
  };
}

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
