// A configuration and reference profiles for agent tests, written to a temp dir.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/model.js";
import { creditModelYaml, rng as seededRng } from "../../src/demo/creditData.js";
import { ProfileBuilder, type Row } from "../../src/stats/profileBuilder.js";
import { creditScore } from "./modelServer.js";

export const REGIONS = ["north", "south", "east", "west"];

/** Deterministic pseudo-random numbers in [0, 1) (the demo's mulberry32). */
export function rng(seed: number): () => number {
  return seededRng(seed).next;
}

export function creditRow(r: () => number, shift = 0): Row {
  const income = 20_000 + 100_000 * r() + shift;
  const score = 300 + 550 * r();
  return {
    income,
    age: Math.floor(18 + 62 * r()),
    score,
    region: REGIONS[Math.floor(r() * REGIONS.length)],
    probability: creditScore(income, score),
  };
}

export function houseRow(r: () => number): Row {
  const sqft = 500 + 3000 * r();
  const rooms = 1 + Math.floor(5 * r());
  return {
    sqft,
    rooms,
    city: ["a", "b", "c"][Math.floor(r() * 3)],
    price: 50_000 + 150 * sqft + 10_000 * rooms,
  };
}

export interface FixtureOptions {
  upstream?: string;
  queueSize?: number;
  maxBodyBytes?: number;
  timeout?: string;
  minSamples?: number;
  ingest?: boolean;
  tap?: boolean;
  extraModels?: string;
  /** more keys of the credit model (`    shadow: {...}` lines, 4-space indent) */
  creditExtra?: string;
}

export function configText(o: FixtureOptions): string {
  const tap =
    o.tap === false
      ? ""
      : `tap: {listen: "127.0.0.1:0", upstream: "${o.upstream ?? "http://127.0.0.1:1"}", max_body_bytes: ${o.maxBodyBytes ?? 1048576}, queue_size: ${o.queueSize ?? 10000}, timeout: ${o.timeout ?? "5s"}}`;
  return `service: test
models:
${creditModelYaml({ reference: "./credit.json", minSamples: o.minSamples ?? 50, extra: o.creditExtra })}  - name: house-price
    version: "1"
    task: regression
    protocol: tf-serving
    route: /v1/models/house-price
    features:
      - {name: sqft, type: numeric}
      - {name: rooms, type: numeric, edges: [1, 2, 3, 4, 5]}
      - {name: city, type: categorical, top_k: 10}
    prediction: {output: price}
    reference: ./house-price.json
    windows: [15m]
    min_samples: ${o.minSamples ?? 50}
${o.extraModels ?? ""}${tap}
${o.ingest ? 'ingest: {listen: "127.0.0.1:0"}' : ""}
metrics: {listen: "127.0.0.1:0"}
`;
}

/** Config + profiles in a fresh temp dir; returns the config and the dir. */
export function writeFixture(o: FixtureOptions = {}): { config: Config; dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "infermon-agent-"));
  const text = configText(o);
  const file = join(dir, "infermon.yaml");
  writeFileSync(file, text);
  const config = parseConfig(text, file, dir);
  const r = rng(42);
  for (const m of config.models) {
    if (!m.reference) continue;
    const rows = Array.from({ length: 2000 }, () => (m.name === "credit" ? creditRow(r) : houseRow(r)));
    const b = new ProfileBuilder(m);
    for (const row of rows) b.observe(row);
    b.fixBins();
    for (const row of rows) b.count(row);
    writeFileSync(m.reference, JSON.stringify(b.build()));
  }
  return { config, dir, file };
}

/** An OIP v2 request body for `rows` (one tensor per feature). */
export function oipRequest(rows: Row[], id?: string): string {
  const col = (n: string, dt: string) => ({
    name: n,
    shape: [rows.length],
    datatype: dt,
    data: rows.map((r) => r[n]),
  });
  return JSON.stringify({
    ...(id !== undefined && { id }),
    inputs: [col("income", "FP64"), col("age", "INT64"), col("score", "FP64"), col("region", "BYTES")],
  });
}
