// Simulated A/B traffic for the variants' sequential test (src/stats/sequentialTest.ts): many
// experiments, each watched after every observation, to measure the false-positive rate on A/A
// traffic (no difference: how often does "variant significantly worse" ever fire?) and the power
// and time to detection on a known effect. Shared by bench/variants/run.mjs (the full report) and
// test/unit/sequentialTest.test.ts (a smaller CI run). Needs `npm run build`.
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../../dist/", import.meta.url));
const { emptyArm, mixtureTest, observe } = await import(`${dist}stats/sequentialTest.js`);
const { mulberry32 } = await import(`${dist}stats/random.js`);

/** Loss distributions of one arm: a Bernoulli error (rate p) or an absolute error |N(μ, σ)|. */
export const LOSSES = {
  bernoulli: (p) => (r) => (r() < p ? 1 : 0),
  absNormal: (mu, sigma) => (r) => {
    // Box–Muller
    const u = Math.max(r(), 1e-12);
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
    return Math.abs(mu + sigma * z);
  },
};

/**
 * Run `runs` experiments of at most `n` observations each. Each observation goes to the variant
 * with probability `share` (else the control) and draws its loss from that arm's distribution.
 * The test is looked at after every observation (`every` = 1) or every `every` observations; a
 * run "rejects" the first time the variant is significantly worse (lower bound > 0) and, for the
 * two-sided figure, the first time the confidence sequence excludes 0.
 */
export function simulate({
  runs,
  n,
  share = 0.5,
  control,
  variant,
  tau,
  alpha,
  minSamples,
  seed = 1,
  every = 1,
}) {
  const r = mulberry32(seed);
  let worse = 0;
  let twoSided = 0;
  const detections = [];
  for (let run = 0; run < runs; run++) {
    const c = emptyArm();
    const v = emptyArm();
    let sawWorse = false;
    let sawAny = false;
    for (let i = 1; i <= n; i++) {
      if (r() < share) observe(v, variant(r));
      else observe(c, control(r));
      if (i % every !== 0) continue;
      const t = mixtureTest(c, v, { tau, alpha, minSamples });
      if (!t) continue;
      if (!sawAny && (t.lower > 0 || t.upper < 0)) sawAny = true;
      if (!sawWorse && t.lower > 0) {
        sawWorse = true;
        detections.push(i);
      }
      if (sawWorse && sawAny) break;
    }
    if (sawWorse) worse++;
    if (sawAny) twoSided++;
  }
  detections.sort((a, b) => a - b);
  return {
    runs,
    n,
    worseRate: worse / runs,
    twoSidedRate: twoSided / runs,
    medianDetection: detections.length > 0 ? detections[Math.floor(detections.length / 2)] : undefined,
  };
}
