// The demo's own infermon.yaml: one credit model behind the tap, labels through the ingest, and
// alerting with an owner, from which the demo generates (and with --stack, runs) the same rules a
// user would. Time is compressed only here, in the configuration: 10s/30s windows and short `for:`.
import { writeFileSync } from "node:fs";
import { parseConfig } from "../config/load.js";
import type { Config, ModelConfig } from "../config/model.js";
import { ProfileBuilder } from "../stats/profileBuilder.js";
import { rng } from "./creditData.js";
import { applicant, toyScore } from "./population.js";

export const DEMO_MODEL = "credit";
export const DEMO_FEATURES = ["income", "age", "score", "region"] as const;
/** The runbooks the generated alerts link to (the repository's own, generated from examples/). */
export const RUNBOOK_BASE_URL = "https://github.com/infermon/infermon/blob/main/alerts/runbooks";
const TRAINING_ROWS = 5000;

export interface DemoListen {
  tap: string;
  ingest: string;
  metrics: string;
}

export function demoConfigYaml(o: { upstream: string; reference: string; listen: DemoListen }): string {
  return `# infermon demo: the toy credit model, time compressed through the configuration only
service: infermon-demo
models:
  - name: ${DEMO_MODEL}
    version: "3"
    task: binary_classification
    protocol: open-inference-v2
    route: /v2/models/${DEMO_MODEL}
    features:
      - {name: income, type: numeric}
      - {name: age, type: numeric, bins: 5}
      - {name: score, type: numeric, edges: [300, 580, 670, 740, 800]}
      - {name: region, type: categorical, top_k: 20}
    prediction: {output: probability, threshold: 0.5, classes: ["0", "1"]}
    reference: ${JSON.stringify(o.reference)}
    windows: [10s, 30s]
    min_samples: 200
    drift:
      thresholds:
        psi: {warning: 0.1, critical: 0.25}
        kl: {warning: 0.1, critical: 0.2}
        js: {warning: 0.1, critical: 0.2}
      for: 5s
    labels: {ttl: 2m, expected_delay: 20s}
    quality: {accuracy: {warning: 0.85, critical: 0.8}, for: 5s}
    slo:
      availability: {objective: 99.5, period: 30d}
      correctness: {objective: 85, period: 30d}
    owner: ml-credit
tap: {listen: "${o.listen.tap}", upstream: "${o.upstream}"}
ingest: {listen: "${o.listen.ingest}"}
metrics: {listen: "${o.listen.metrics}"}
alerting:
  runbook_base_url: ${RUNBOOK_BASE_URL}
  owners:
    ml-credit: {page: ml-credit-page, ticket: ml-credit-ticket}
  default_receiver: demo-default
`;
}

export function demoConfig(o: { upstream: string; reference: string; listen: DemoListen }): Config {
  return parseConfig(demoConfigYaml(o), "demo config");
}

/** A reference profile of `model`: 5,000 applicants of the training population, scored by the toy model. */
export function writeReference(model: ModelConfig, path: string): void {
  const r = rng(1);
  const rows = Array.from({ length: TRAINING_ROWS }, () => {
    const { features: f } = applicant(r, false);
    return { ...f, probability: toyScore(f.income ?? 40000, f.age, f.score) };
  });
  const b = new ProfileBuilder(model);
  for (const row of rows) b.observe(row);
  b.fixBins();
  for (const row of rows) b.count(row);
  writeFileSync(path, JSON.stringify(b.build()));
}
