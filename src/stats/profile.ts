// The reference profile written by `infermon baseline` and read by `drift` and the agent.
// Plain data with a schema version; `parseProfile` checks shape so a foreign file fails clearly.

import { type ProfileThresholds, parseThresholds } from "./learnedThresholds.js";
import { ProfileError } from "./profileError.js";
import { type ProfileScores, parseScores } from "./scoreProfile.js";

export const PROFILE_SCHEMA = "infermon.profile";
/** 2: numeric slots record their `layout` (quantiles, edges or per-value bins) and why (ADR 0009). */
export const PROFILE_SCHEMA_VERSION = 2;

/**
 * How a numeric slot is binned: `quantiles` of the reference, explicit config `edges`, or
 * `values` (one bin per distinct reference value plus `__other__`, for few-valued features).
 */
export type NumericLayout = "quantiles" | "edges" | "values";

export type ProfileSlot =
  | {
      name: string;
      type: "numeric";
      layout: NumericLayout;
      /** why this layout was chosen, for people reading the profile */
      layout_reason: string;
      /** inner edges (layouts quantiles and edges) */
      edges?: number[];
      /** the distinct reference values, increasing (layout values) */
      values?: number[];
      counts: number[];
      missing: number;
      invalid: number;
      min?: number;
      max?: number;
    }
  | {
      name: string;
      type: "categorical";
      categories: string[];
      counts: number[];
      missing: number;
      invalid: number;
      /** reference values counted in `__other__` (up to a cap), so live values can be told unseen */
      other_values?: string[];
    };

/** How the quantile edges of numeric features were made: exact order statistics, or a sample. */
export type EdgesFrom = { method: "exact" } | { method: "sample"; size: number };

export interface Profile {
  schema: typeof PROFILE_SCHEMA;
  schema_version: typeof PROFILE_SCHEMA_VERSION;
  model: string;
  model_version: string;
  rows: number;
  /** absent in profiles written before edges were exact (they came from a 200k sample) */
  edges_from?: EdgesFrom;
  features: ProfileSlot[];
  /** the prediction's reference distribution, when the data had the prediction field */
  prediction?: ProfileSlot;
  /** classification: the score bins per class, and with targets their calibration (scoreProfile.ts) */
  scores?: ProfileScores;
  /** drift levels learned by bootstrap (`drift.thresholds: auto`), see learnedThresholds.ts */
  thresholds?: ProfileThresholds;
}

export { ProfileError };

const isObj = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);
const isCounts = (x: unknown): x is number[] =>
  Array.isArray(x) && x.every((n) => typeof n === "number" && Number.isInteger(n) && n >= 0);

function slot(x: unknown, where: string): ProfileSlot {
  if (!isObj(x) || typeof x.name !== "string")
    throw new ProfileError(`${where}: expected an object with a name`);
  const counts = x.counts;
  if (!isCounts(counts)) throw new ProfileError(`${where}.counts: expected non-negative integers`);
  const missing = typeof x.missing === "number" ? x.missing : 0;
  const invalid = typeof x.invalid === "number" ? x.invalid : 0;
  if (x.type === "numeric") {
    const layout = x.layout;
    if (layout !== "quantiles" && layout !== "edges" && layout !== "values")
      throw new ProfileError(`${where}.layout: expected quantiles, edges or values`);
    const key = layout === "values" ? "values" : "edges";
    const points = x[key];
    if (
      !Array.isArray(points) ||
      !points.every(
        (e, i) => typeof e === "number" && Number.isFinite(e) && (i === 0 || e > (points[i - 1] as number)),
      )
    ) {
      throw new ProfileError(`${where}.${key}: expected increasing numbers`);
    }
    if (counts.length !== points.length + 1)
      throw new ProfileError(`${where}.counts: expected ${points.length + 1} bins`);
    const range = typeof x.min === "number" && typeof x.max === "number" ? { min: x.min, max: x.max } : {};
    return {
      name: x.name,
      type: "numeric",
      layout,
      layout_reason: typeof x.layout_reason === "string" ? x.layout_reason : "",
      [key]: points as number[],
      counts,
      missing,
      invalid,
      ...range,
    };
  }
  if (x.type === "categorical") {
    const cats = x.categories;
    if (!Array.isArray(cats) || !cats.every((c) => typeof c === "string")) {
      throw new ProfileError(`${where}.categories: expected strings`);
    }
    if (counts.length !== cats.length + 1)
      throw new ProfileError(`${where}.counts: expected ${cats.length + 1} bins`);
    const other = Array.isArray(x.other_values)
      ? x.other_values.filter((v): v is string => typeof v === "string")
      : undefined;
    return {
      name: x.name,
      type: "categorical",
      categories: cats as string[],
      counts,
      missing,
      invalid,
      ...(other && { other_values: other }),
    };
  }
  throw new ProfileError(`${where}.type: expected numeric or categorical`);
}

/** Validate parsed JSON as a profile. Throws ProfileError naming what is wrong. */
export function parseProfile(x: unknown): Profile {
  if (!isObj(x) || x.schema !== PROFILE_SCHEMA)
    throw new ProfileError(`not an infermon profile (no "schema": "${PROFILE_SCHEMA}")`);
  if (x.schema_version !== PROFILE_SCHEMA_VERSION) {
    throw new ProfileError(
      `profile schema_version ${JSON.stringify(x.schema_version)} is not supported (this infermon reads ${PROFILE_SCHEMA_VERSION}); rebuild it with \`infermon baseline\``,
    );
  }
  if (typeof x.model !== "string") throw new ProfileError("model: expected a string");
  if (!Array.isArray(x.features)) throw new ProfileError("features: expected an array");
  const p: Profile = {
    schema: PROFILE_SCHEMA,
    schema_version: PROFILE_SCHEMA_VERSION,
    model: x.model,
    model_version: typeof x.model_version === "string" ? x.model_version : "unknown",
    rows: typeof x.rows === "number" ? x.rows : 0,
    features: x.features.map((f, i) => slot(f, `features[${i}]`)),
  };
  if (x.prediction !== undefined) p.prediction = slot(x.prediction, "prediction");
  const ef = x.edges_from;
  if (isObj(ef) && ef.method === "exact") p.edges_from = { method: "exact" };
  else if (isObj(ef) && ef.method === "sample" && typeof ef.size === "number")
    p.edges_from = { method: "sample", size: ef.size };
  if (x.scores !== undefined) p.scores = parseScores(x.scores);
  if (x.thresholds !== undefined) p.thresholds = parseThresholds(x.thresholds);
  if (p.edges_from) {
    // keep the documented key order: edges_from before features, learned thresholds last
    const { features, prediction, scores, thresholds, ...head } = p;
    return {
      ...head,
      features,
      ...(prediction && { prediction }),
      ...(scores && { scores }),
      ...(thresholds && { thresholds }),
    };
  }

  return p;
}
