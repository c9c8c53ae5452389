// A sidecar's forwarder (forward:, POST /v1/predictions) against a join whose ingest is protected by
// a web config (issue #16 with #18): basic auth and bearer tokens read from files, the join's
// certificate checked against tls_config.ca_file, a client certificate for mutual TLS; a sender
// without the `predictions` permission or with a wrong password changes nothing and is counted
// `failed`. Real HTTPS listener, certificates made by openssl, hashes by bcryptjs.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InferenceEvent } from "../../src/adapters/inferenceEvent.js";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import type { ForwardConfig } from "../../src/config/model.js";
import { PredictionForwarder } from "../../src/forward/forwarder.js";
import { ForwardMetrics } from "../../src/forward/forwardMetrics.js";
import { writeFixture } from "../helpers/agentFixture.js";
import { makeCerts, type TestCerts } from "../helpers/certs.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";
import { sendTls } from "../helpers/tlsHttp.js";

const SIDECAR_PW = "sidecar:pw@with/odd chars";
const FLEET_TOKEN = "fleet-token-5e4d3c2b1a";
const LABELER_TOKEN = "labeler-token-0a1b2c3d";

let certs: TestCerts;
let agent: Agent;
let addr: Addresses;
let dir: string;

const hash = (s: string) => bcrypt.hashSync(s, 6);

function secret(name: string, value: string): string {
  const p = join(dir, name);
  writeFileSync(p, `${value}\n`);
  return p;
}

function forwarder(c: Partial<ForwardConfig>): { f: PredictionForwarder; m: Registry } {
  const m = new Registry();
  const config: ForwardConfig = {
    url: `https://127.0.0.1:${addr.ingest?.port}`,
    queueSize: 10_000,
    batchSize: 100,
    flushIntervalMs: 50,
    timeoutMs: 5_000,
    tls: { caFile: certs.ca, insecureSkipVerify: false },
    ...c,
  };
  return { f: new PredictionForwarder({ config, metrics: new ForwardMetrics(m) }), m };
}

const event = (id: string): InferenceEvent =>
  ({
    model: "credit",
    id,
    version: "v1",
    time: Date.now(),
    features: {},
    prediction: 0.9,
  }) as unknown as InferenceEvent;

async function scrape(): Promise<ReturnType<typeof parseMetrics>> {
  await agent.idle();
  return parseMetrics(await agent.metrics.registry.metrics());
}

beforeAll(async () => {
  certs = makeCerts();
  const f = writeFixture({ ingest: true, tap: false, minSamples: 1 });
  dir = f.dir;
  writeFileSync(
    join(dir, "ingest-web.yaml"),
    `tls_server_config:
  cert_file: ${certs.serverCert}
  key_file: ${certs.serverKey}
  client_ca_file: ${certs.ca}
  client_auth_type: VerifyClientCertIfGiven
basic_auth_users:
  sidecar: ${hash(SIDECAR_PW)}
bearer_tokens:
  fleet: ${hash(FLEET_TOKEN)}
  labeler: ${hash(LABELER_TOKEN)}
permissions:
  sidecar: [predictions]
  fleet: [predictions]
  labeler: [labels]
`,
  );
  const config = {
    ...f.config,
    ingest: {
      ...(f.config.ingest as NonNullable<typeof f.config.ingest>),
      webConfigFile: join(dir, "ingest-web.yaml"),
    },
  };
  agent = new Agent(config, { processMetrics: false });
  addr = await agent.start();
}, 60_000);

afterAll(async () => {
  await agent?.stop(100);
});

describe("a forwarder sending to a join protected by a web config", () => {
  it("is taken with basic auth from password_file, and its predictions join labels", async () => {
    const { f, m } = forwarder({
      basicAuth: { username: "sidecar", passwordFile: secret("sidecar-pw", SIDECAR_PW) },
    });
    for (let i = 0; i < 50; i++) f.offer(event(`b-${i}`));
    await f.close(10_000);
    expect(await value(m, "sent")).toBe(50);
    expect(await value(m, "failed")).toBe(0);
    let s = await scrape();
    expect(metricValue(s, "infermon_predictions_received_total", { outcome: "recorded" })).toBe(50);
    // a label producer's token: the forwarded predictions meet their labels
    const labels = Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({ model: "credit", id: `b-${i}`, label: "1" }),
    ).join("\n");
    const r = await sendTls(
      `https://127.0.0.1:${addr.ingest?.port}/v1/labels`,
      { ca: certs.ca },
      { body: labels, headers: { authorization: `Bearer ${LABELER_TOKEN}` } },
    );
    expect(r.status).toBe(202);
    s = await scrape();
    expect(
      metricValue(s, "infermon_labels_total", { model: "credit", outcome: "matched", source: "labeler" }),
    ).toBe(50);
  });

  it("is taken with a bearer token from credentials_file and a client certificate", async () => {
    const { f, m } = forwarder({
      authorization: { type: "Bearer", credentialsFile: secret("fleet-token", FLEET_TOKEN) },
      tls: {
        caFile: certs.ca,
        certFile: certs.clientCert,
        keyFile: certs.clientKey,
        insecureSkipVerify: false,
      },
    });
    for (let i = 0; i < 20; i++) f.offer(event(`t-${i}`));
    await f.close(10_000);
    expect(await value(m, "sent")).toBe(20);
    const s = await scrape();
    expect(metricValue(s, "infermon_predictions_received_total", { outcome: "recorded" })).toBe(70);
  });

  it("changes nothing without the permission or with a wrong password: counted failed, no retry", async () => {
    const before = metricValue(await scrape(), "infermon_listener_rejected_total", {
      listener: "ingest",
      reason: "forbidden",
    });
    const labelsOnly = forwarder({
      authorization: { type: "Bearer", credentialsFile: secret("labeler-token", LABELER_TOKEN) },
    });
    const wrong = forwarder({
      basicAuth: { username: "sidecar", passwordFile: secret("wrong-pw", "not-it") },
    });
    for (let i = 0; i < 10; i++) {
      labelsOnly.f.offer(event(`x-${i}`));
      wrong.f.offer(event(`y-${i}`));
    }
    await Promise.all([labelsOnly.f.close(10_000), wrong.f.close(10_000)]);
    expect(await value(labelsOnly.m, "failed")).toBe(10);
    expect(await value(wrong.m, "failed")).toBe(10);
    expect(await value(labelsOnly.m, "sent")).toBe(0);
    const s = await scrape();
    expect(metricValue(s, "infermon_predictions_received_total", { outcome: "recorded" })).toBe(70);
    // one request each: a refusal is not retried
    expect(
      metricValue(s, "infermon_listener_rejected_total", { listener: "ingest", reason: "forbidden" }),
    ).toBe((before ?? 0) + 1);
  });
});

async function value(m: Registry, outcome: "sent" | "failed" | "dropped"): Promise<number | undefined> {
  return metricValue(parseMetrics(await m.metrics()), "infermon_forward_predictions_total", { outcome });
}
