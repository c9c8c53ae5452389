// The demo's applicants and its toy model. Incomes, scores and ages as in the credit example; the
// truth (did the applicant repay, class "1") follows the applicant's real income. When drift is
// injected, incomes arrive inflated 1.5× (a mean shift: a currency or units change upstream that the
// model was never trained on) and a new region, "islands", appears whose applicants repay less often
// than their features say. The model reads the inflated incomes, so it approves more (its
// predictions visibly shift) while the truth has not changed: its accuracy really drops.
import { REGIONS, type Rng } from "./creditData.js";

export interface Applicant {
  income: number | null;
  age: number;
  score: number;
  region: string | null;
}

export interface LabelledApplicant {
  features: Applicant;
  /** the ground truth, known only later (the demo posts it as a delayed label) */
  truth: "0" | "1";
}

/** Income inflation and the new region's share once drift is injected. */
export const DRIFT = { incomeFactor: 1.5, newRegion: "islands", newRegionShare: 0.25 } as const;

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** The model's log-odds of repaying: sharper than the example's score, about half are approved. */
function logOdds(income: number, age: number, score: number): number {
  const incomeZ = (Math.log(Math.max(income, 1)) - 10.6) / 0.45;
  return 3 * (incomeZ + (1.2 * (score - 670)) / 70 + (0.2 * (age - 42)) / 12);
}

/** The toy model: the probability of class "1" (repays), rounded as a model server would answer. */
export function toyScore(income: number, age: number, score: number): number {
  return Number(sigmoid(logOdds(income, age, score)).toFixed(4));
}

export function applicant(r: Rng, drifted: boolean): LabelledApplicant {
  const realIncome = Math.exp(10.6 + 0.45 * r.normal());
  const income = Number((realIncome * (drifted ? DRIFT.incomeFactor : 1)).toFixed(2));
  const age = Math.max(18, Math.min(90, Math.round(42 + 12 * r.normal())));
  const score = Math.max(300, Math.min(850, Math.round(670 + 70 * r.normal())));
  const newRegion = drifted && r.next() < DRIFT.newRegionShare;
  const region = newRegion ? DRIFT.newRegion : r.pick(REGIONS, [30, 25, 15, 20, 10]);
  // the truth reads the real income; the new region repays less than its features say
  const p = sigmoid(logOdds(realIncome, age, score) + (newRegion ? -1.5 : 0));
  const truth = r.next() < p ? "1" : "0";
  return {
    // a few missing values, as real traffic has
    features: {
      income: r.next() < 0.01 ? null : income,
      age,
      score,
      region: r.next() < 0.005 ? null : region,
    },
    truth,
  };
}
