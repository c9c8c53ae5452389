// promtool scenarios of the gate recording rules (alerts/tests/rollout-gates.test.yaml): a stable
// and a canary pod of the model (told apart by pod name), the canary born inside the window; the
// recorded values equal what is computed here from the same counts, and a ReplicaSet below
// rollout.min_samples records no value (the templates' "inconclusive").
import type { ModelConfig } from "../../config/model.js";
import type { Scenario, SeriesInput } from "../alerts/types.js";
import { M, sel } from "../promql.js";
import { GATE_RECORD, gatesOf } from "./gates.js";

const STABLE = "ml-model-6b5c4d9f-xyzab";
const CANARY = "ml-model-7d9f8c6b-abcde";
const rsOf = (pod: string) => pod.slice(0, pod.lastIndexOf("-"));

/** Per-minute counter increments of each pod over the scenario's minutes. */
function counter(
  metric: string,
  labels: Record<string, string>,
  perMinute: number,
  minutes: number,
  bornAt = 0,
): SeriesInput {
  const values =
    bornAt > 0 ? `_x${bornAt} ${perMinute}+${perMinute}x${minutes - bornAt}` : `0+${perMinute}x${minutes}`;
  return { series: sel(metric, labels), values };
}

const check = (record: string, m: ModelConfig, gate: string, pod: string, value: number) => ({
  expr: `abs(${sel(record, { model: m.name, gate, replicaset: rsOf(pod) })} - ${value}) < bool 1e-9`,
  samples: [{ labels: `{gate="${gate}", model="${m.name}", replicaset="${rsOf(pod)}"}`, value: 1 }],
});

export function gateScenarios(models: readonly ModelConfig[]): Scenario[] {
  const out: Scenario[] = [];
  for (const m of models) {
    const r = m.rollout;
    if (!r) continue;
    const gates = new Set(gatesOf(m).map((g) => g.name));
    const minutes = Math.round(r.windowMs / 60_000) + 5;
    const born = minutes - Math.max(1, Math.round(r.windowMs / 60_000 / 2));
    // enough requests per minute for min_samples over the canary's short life
    const perMinute = Math.ceil((2 * r.minSamples) / (minutes - born)) + 10;
    const v = m.version;
    const input: SeriesInput[] = [];
    const exprs: Scenario["exprs"] = [];
    const canaryGain = perMinute * (minutes - born + 1);
    if (gates.has("availability_burn")) {
      const budget = 1 - (m.slo.availability?.objective as number) / 100;
      const req = (pod: string, code: string, n: number, b = 0) =>
        counter(M.requests, { model: m.name, model_version: v, code, pod }, n, minutes, b);
      // the stable pod never fails; the canary answers a fifth of its requests 500
      input.push(req(STABLE, "200", perMinute, 0), req(STABLE, "500", 0, 0));
      const bad = Math.ceil(perMinute / 5);
      input.push(req(CANARY, "200", perMinute - bad, born), req(CANARY, "500", bad, born));
      exprs.push(check(GATE_RECORD.value, m, "availability_burn", STABLE, 0));
      exprs.push(check(GATE_RECORD.samples, m, "availability_burn", CANARY, canaryGain));
      exprs.push(check(GATE_RECORD.value, m, "availability_burn", CANARY, bad / perMinute / budget));
    }
    if (gates.has("prediction_distance") && m.prediction.classes) {
      const [a, b] = m.prediction.classes as [string, string];
      const cls = (pod: string, c: string, n: number, born0 = 0) =>
        counter(M.predictions, { model: m.name, model_version: v, class: c, pod }, n, minutes, born0);
      // stable 3:1, canary 1:1 over the canary's life (only the window's gains count)
      input.push(cls(STABLE, a, 3 * perMinute, 0), cls(STABLE, b, perMinute, 0));
      input.push(cls(CANARY, a, perMinute, born), cls(CANARY, b, perMinute, born));
      const w = Math.round(r.windowMs / 60_000);
      const p = [0.5, 0.5];
      const q = [3 / 4, 1 / 4];
      const js = Math.sqrt(
        0.5 *
          p.reduce((acc, pi, i) => {
            const qi = q[i] as number;
            const mi = (pi + qi) / 2;
            return acc + pi * Math.log2(pi / mi) + qi * Math.log2(qi / mi);
          }, 0),
      );
      if (4 * perMinute * w >= r.minSamples)
        exprs.push(check(GATE_RECORD.value, m, "prediction_distance", CANARY, js));
    }
    if (exprs.length === 0) continue;
    out.push({
      name: `${m.name}: gate values of a canary pod born in the window equal the counts' (exact window gains)`,
      input,
      evalTime: `${minutes}m`,
      expect: [],
      exprs,
    });
    // a canary too young for min_samples: its samples are recorded, its value is not
    if (gates.has("availability_burn")) {
      const few = Math.max(1, Math.floor((r.minSamples - 1) / 2));
      out.push({
        name: `${m.name}: a ReplicaSet with fewer than ${r.minSamples} requests in the window records no value`,
        input: [
          counter(
            M.requests,
            { model: m.name, model_version: v, code: "200", pod: CANARY },
            few,
            minutes,
            minutes - 1,
          ),
          counter(
            M.requests,
            { model: m.name, model_version: v, code: "500", pod: CANARY },
            0,
            minutes,
            minutes - 1,
          ),
        ],
        evalTime: `${minutes}m`,
        expect: [],
        exprs: [
          check(GATE_RECORD.samples, m, "availability_burn", CANARY, 2 * few),
          { expr: sel(GATE_RECORD.value, { model: m.name, gate: "availability_burn" }), samples: [] },
        ],
      });
    }
  }
  return out;
}
