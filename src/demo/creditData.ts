// Seeded synthetic rows for the `credit` example model: training-like traffic and drifted traffic
// (richer applicants, older, lower scores, a new region). Used by `infermon demo` and by
// scripts/make-example-data.mjs for the committed example files.

export interface Rng {
  next(): number;
  normal(): number;
  pick<T>(values: readonly T[], weights: readonly number[]): T;
}

/** mulberry32 with Box–Muller normals: small, fast, reproducible. */
export function rng(seed: number): Rng {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const pick = <T>(values: readonly T[], weights: readonly number[]): T => {
    let u = next() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < values.length; i++) {
      u -= weights[i] as number;
      if (u <= 0) return values[i] as T;
    }
    return values[values.length - 1] as T;
  };
  return { next, normal, pick };
}

export const REGIONS = ["north", "south", "east", "west", "central"] as const;

export interface CreditRow {
  income: number | "";
  age: number;
  score: number;
  region: string;
  probability: number;
  label: number;
}

const round = (x: number, d: number) => Number(x.toFixed(d));

/** The toy model: a logistic score of the features (the demo's model server answers with it). */
export function creditProbability(income: number, age: number, score: number): number {
  const z = -6 + income / 40000 + (score - 600) / 60 + (age - 40) / 50;
  return round(1 / (1 + Math.exp(-z)), 4);
}

export function creditRow(r: Rng, drift: boolean): CreditRow {
  const income = round(Math.exp(10.6 + 0.45 * r.normal()) * (drift ? 1.35 : 1), 2);
  const age = Math.max(18, Math.min(90, Math.round(42 + 12 * r.normal() + (drift ? 6 : 0))));
  const score = Math.max(300, Math.min(850, Math.round(670 + 70 * r.normal() - (drift ? 40 : 0))));
  const region = drift
    ? r.pick([...REGIONS, "islands"], [10, 10, 30, 10, 20, 20])
    : r.pick(REGIONS, [30, 25, 15, 20, 10]);
  const probability = creditProbability(income, age, score);
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

/**
 * The `credit` model's entry under `models:` in infermon.yaml (the example's features), for the
 * demo, the agent's test fixtures and the proxy benchmarks.
 */
export function creditModelYaml(o: {
  reference: string;
  windows?: string;
  minSamples?: number;
  /** more keys of the model entry, indented by 4 spaces (tests: shadow, variants) */
  extra?: string;
}): string {
  return `  - name: credit
    version: "3"
    task: binary_classification
    protocol: open-inference-v2
    route: /v2/models/credit
    features:
      - {name: income, type: numeric}
      - {name: age, type: numeric, bins: 5}
      - {name: score, type: numeric, edges: [300, 580, 670, 740, 800]}
      - {name: region, type: categorical, top_k: 20}
    prediction: {output: probability, threshold: 0.5, classes: ["0", "1"]}
    reference: ${JSON.stringify(o.reference)}
    windows: [${o.windows ?? "5m, 1h"}]
    min_samples: ${o.minSamples ?? 200}
${o.extra ?? ""}`;
}
