// KServe's agent v0.20.0 (its payload logger with batching and marshallers, built from the Go
// module proxy by .ci/build-kserve-agent.sh) in front of a real MLServer, logging to blob storage
// in batches of 4 with infermon's ingest as its marshaller (`--log-marshaller-url`): every record
// of every batch is analysed, and drift equals this test's computation.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelConfig } from "../../src/config/model.js";
import type { Profile } from "../../src/stats/profile.js";
import { expectedPsi, postJson, profileOf, type RunningAgent, startAgent } from "../helpers/conformance.js";
import { metricValue } from "../helpers/metricsText.js";
import { freePort } from "../helpers/peerProcess.js";
import {
  type PyServer,
  requireModelServers,
  startMLServer,
  type Trained,
  train,
} from "../helpers/pythonServers.js";

const agentBin = join(
  process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"),
  "infermon",
  "bin",
  "kserve-agent",
);
function requireKServeAgent(): boolean {
  if (existsSync(agentBin)) return true;
  if (process.env.CI) throw new Error(`${agentBin} is required in CI (bash .ci/build-kserve-agent.sh)`);
  return false;
}
const enabled = requireModelServers() && requireKServeAgent();
const COLUMNS: [string, number][] = [
  ["mean_radius", 0],
  ["worst_area", 23],
];

let data: Trained;
let server: PyServer;
let a: RunningAgent;
let profile: Profile;
let kagent: ChildProcess;
let kagentOut = "";
let kport = 0;

describe.skipIf(!enabled)("KServe agent v0.20.0: batched logger records through the marshaller", () => {
  beforeAll(async () => {
    data = await train("breast_cancer");
    server = await startMLServer([{ name: "cancer", dir: data.dir }]);
    // the ingest only: the KServe agent is the proxy here
    a = await startAgent(
      "http://127.0.0.1:1",
      `  - name: cancer
    task: binary_classification
    route: /v2/models/cancer
    features:
${COLUMNS.map(([n, c]) => `      - {name: ${n}, type: numeric, input: input-0, column: ${c}}`).join("\n")}
    prediction: {output: predict_proba, classes: ["0", "1"]}
    reference: ./cancer.json
    windows: [1h]
    min_samples: 5
`,
      (config) => {
        const model = config.models[0] as ModelConfig;
        profile = profileOf(
          model,
          data.rows.slice(0, 300).map((r, i) => ({
            ...Object.fromEntries(COLUMNS.map(([n, c]) => [n, r[c]])),
            predict_proba: (data.predict_proba as number[][])[i]?.[1],
          })),
        );
        writeFileSync(model.reference as string, JSON.stringify(profile));
      },
    );
    kport = await freePort();
    const mlPort = new URL(server.url).port;
    kagent = spawn(
      agentBin,
      [
        `--port=${kport}`,
        `--component-port=${mlPort}`,
        "--log-url=s3://infermon-conformance/logs",
        "--log-store-path=payloads",
        `--log-marshaller-url=${a.ingest}/v1/kserve/marshal`,
        `--log-marshaller-port=${await freePort()}`,
        "--log-batch-size=4",
        "--log-batch-interval=1s",
        "--inference-service=cancer",
        "--log-mode=all",
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
        // no blob store on this machine: uploads fail fast (after the marshaller answered)
        env: {
          ...process.env,
          AWS_ENDPOINT_URL: "http://127.0.0.1:1",
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
          // what KServe's controller sets: the model container's readiness probe
          SERVING_READINESS_PROBE: JSON.stringify({
            tcpSocket: { port: Number(mlPort), host: "127.0.0.1" },
            timeoutSeconds: 1,
            periodSeconds: 10,
            successThreshold: 1,
            failureThreshold: 3,
          }),
        },
      },
    );
    const keep = (c: Buffer) => {
      kagentOut = (kagentOut + c.toString()).slice(-50_000);
    };
    kagent.stdout?.on("data", keep);
    kagent.stderr?.on("data", keep);
    const start = Date.now();
    for (;;) {
      if (kagent.exitCode !== null) throw new Error(`kserve agent exited: ${kagentOut}`);
      try {
        const r = await fetch(`http://127.0.0.1:${kport}/v2/models/cancer/ready`);
        if (r.ok) break;
      } catch {
        // not up yet
      }
      if (Date.now() - start > 60_000) throw new Error(`kserve agent not ready: ${kagentOut}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }, 600_000);
  afterAll(async () => {
    kagent?.kill("SIGTERM");
    await a?.agent.stop(1000);
    await server?.stop();
  });

  it("analyses every logged request of every batch; drift equals this test's", async () => {
    const sent: number[][] = [];
    const scores: number[] = [];
    for (let i = 300; i < 300 + 8 * 5; i += 5) {
      const rows = data.rows.slice(i, i + 5);
      const r = await postJson(`http://127.0.0.1:${kport}/v2/models/cancer/infer`, {
        inputs: [{ name: "input-0", shape: [5, 30], datatype: "FP64", data: rows }],
        outputs: [{ name: "predict_proba" }],
      });
      expect(r.status, r.body.toString()).toBe(200);
      const proba = JSON.parse(r.body.toString()).outputs[0].data as number[];
      rows.forEach((row, j) => {
        sent.push(row);
        scores.push(proba[2 * j + 1] as number);
      });
    }
    // 8 requests, 16 records, batches of 4: every batch reaches the marshaller
    const deadline = Date.now() + 60_000;
    let m = await a.metrics();
    while (
      (metricValue(m, "infermon_events_total", { model: "cancer", source: "cloudevents" }) ?? 0) < sent.length
    ) {
      if (Date.now() > deadline) throw new Error(`not all records arrived:\n${kagentOut.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 300));
      m = await a.metrics();
    }
    expect(metricValue(m, "infermon_events_total", { model: "cancer", source: "cloudevents" })).toBe(
      sent.length,
    );
    expect(metricValue(m, "infermon_parse_errors_total", {})).toBe(0);
    expect(metricValue(m, "infermon_events_dropped_total", {})).toBe(0);
    const model = a.config.models[0] as ModelConfig;
    for (const [name, c] of COLUMNS) {
      const got = metricValue(m, "infermon_feature_psi", { model: "cancer", feature: name, window: "1h" });
      expect(got).toBeCloseTo(
        expectedPsi(
          model,
          profile,
          name,
          sent.map((r) => r[c]),
        ),
        9,
      );
    }
    expect(metricValue(m, "infermon_prediction_psi", { model: "cancer", window: "1h" })).toBeCloseTo(
      expectedPsi(model, profile, "__prediction__", scores),
      9,
    );
    // the marshaller answered (KServe then failed only to upload: no blob store here)
    expect(kagentOut).not.toMatch(/failed to send HTTP request|HTTP request failed with status/);
  }, 120_000);
});
