// Issue #16 §1: only trusted senders change what infermon reports. The ingest and /metrics take the
// Prometheus exporter-toolkit web config (TLS, client certificates, basic_auth_users with bcrypt
// hashes) plus bearer tokens with per-sender permissions; unauthenticated requests get 401 and
// change nothing. Real HTTPS listeners, certificates made by openssl, hashes by bcryptjs.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { writeFixture } from "../helpers/agentFixture.js";
import { makeCerts, type TestCerts } from "../helpers/certs.js";
import { send } from "../helpers/http.js";
import { metricValue, parseMetrics } from "../helpers/metricsText.js";
import { sendTls } from "../helpers/tlsHttp.js";

const LABELER_TOKEN = "tok-labels-0f9e8d7c6b5a";
const FORWARDER_PW = "fw-pass-with:colon@and-at";
const SCRAPER_PW = "scrape-pass";

let certs: TestCerts;
let agent: Agent;
let addr: Addresses;
let dir: string;

const hash = (s: string) => bcrypt.hashSync(s, 6);
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;

function ingestWebConfig(extra = ""): string {
  return `tls_server_config:
  cert_file: ${certs.serverCert}
  key_file: ${certs.serverKey}
  client_ca_file: ${certs.ca}
  client_auth_type: VerifyClientCertIfGiven
basic_auth_users:
  forwarder: ${hash(FORWARDER_PW)}
bearer_tokens:
  labeler: ${hash(LABELER_TOKEN)}
permissions:
  labeler: [labels]
${extra}`;
}

const ingest = (path: string) => `https://127.0.0.1:${addr.ingest?.port}${path}`;
const tlsCa = () => ({ ca: certs.ca });

async function scrape(): Promise<ReturnType<typeof parseMetrics>> {
  await agent.idle();
  const r = await send(`http://127.0.0.1:${addr.metrics.port}/metrics`, {
    headers: { authorization: basic("prometheus", SCRAPER_PW) },
  });
  expect(r.status).toBe(200);
  return parseMetrics(r.body.toString());
}

beforeAll(async () => {
  certs = makeCerts();
  const f = writeFixture({ ingest: true, tap: false, minSamples: 1 });
  dir = f.dir;
  writeFileSync(join(dir, "ingest-web.yaml"), ingestWebConfig());
  writeFileSync(join(dir, "metrics-web.yaml"), `basic_auth_users:\n  prometheus: ${hash(SCRAPER_PW)}\n`);
  const config = {
    ...f.config,
    ingest: {
      ...(f.config.ingest as NonNullable<typeof f.config.ingest>),
      webConfigFile: join(dir, "ingest-web.yaml"),
    },
    metrics: { ...f.config.metrics, webConfigFile: join(dir, "metrics-web.yaml") },
  };
  agent = new Agent(config, { processMetrics: false });
  addr = await agent.start();
}, 60_000);

afterAll(async () => {
  await agent?.stop(100);
});

describe("the ingest with a web config", () => {
  it("answers 401 to a sender without credentials, and the forged labels change nothing", async () => {
    // the issue's attack: labels sent before the truth, by someone who merely reaches the port
    const forged = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({ model: "credit", id: `r-${i}`, label: "0" }),
    );
    const r = await sendTls(ingest("/v1/labels"), tlsCa(), { body: forged.join("\n") });
    expect(r.status).toBe(401);
    expect(r.headers["www-authenticate"]).toContain('Basic realm="infermon"');
    const wrong = await sendTls(ingest("/v1/labels"), tlsCa(), {
      body: forged.join("\n"),
      headers: { authorization: "Bearer not-the-token" },
    });
    expect(wrong.status).toBe(401);
    const m = await scrape();
    for (const outcome of ["matched", "duplicate", "invalid", "unmatched"])
      expect(metricValue(m, "infermon_labels_total", { model: "credit", outcome })).toBe(0);
    expect(agent.labels.monitor("credit")?.store.size).toBe(0);
    expect(
      metricValue(m, "infermon_listener_rejected_total", { listener: "ingest", reason: "unauthorized" }),
    ).toBe(2);
  });

  it("takes labels from the labeler's token, and refuses it events (403)", async () => {
    const label = JSON.stringify({ model: "credit", id: "t-1", label: "1" });
    const ok = await sendTls(ingest("/v1/labels"), tlsCa(), {
      body: label,
      headers: { authorization: `Bearer ${LABELER_TOKEN}` },
    });
    expect(ok.status).toBe(202);
    expect(JSON.parse(ok.body.toString()).waiting).toBe(1);
    const event = JSON.stringify({ model: "credit", id: "t-1", features: { income: 1 }, prediction: 0.9 });
    const no = await sendTls(ingest("/v1/events"), tlsCa(), {
      body: event,
      headers: { authorization: `Bearer ${LABELER_TOKEN}` },
    });
    expect(no.status).toBe(403);
    // KServe's logger batches are CloudEvent halves: not a label sender's either
    const batch = await sendTls(ingest("/v1/kserve/marshal"), tlsCa(), {
      body: "[]",
      headers: { authorization: `Bearer ${LABELER_TOKEN}` },
    });
    expect(batch.status).toBe(403);
    const m = await scrape();
    expect(metricValue(m, "infermon_events_total", { model: "credit", source: "http" })).toBe(0);
    expect(
      metricValue(m, "infermon_listener_rejected_total", { listener: "ingest", reason: "forbidden" }),
    ).toBe(2);
  });

  it("takes events from the forwarder's basic auth (what a Prometheus-style HTTP client sends)", async () => {
    const event = JSON.stringify({
      model: "credit",
      id: "t-1",
      features: { income: 50000, age: 30, score: 700, region: "north" },
      prediction: 0.9,
    });
    for (let i = 0; i < 5; i++) {
      const r = await sendTls(ingest("/v1/events"), tlsCa(), {
        body: event,
        headers: { authorization: basic("forwarder", FORWARDER_PW) },
      });
      expect(r.status).toBe(202);
    }
    const m = await scrape();
    expect(metricValue(m, "infermon_events_total", { model: "credit", source: "http" })).toBe(5);
    // the prediction met the labeler's label
    expect(metricValue(m, "infermon_labels_total", { model: "credit", outcome: "matched" })).toBe(1);
  });

  it("checks client certificates: a trusted one passes, one from another CA is refused", async () => {
    const body = JSON.stringify({ model: "credit", id: "c-1", label: "1" });
    const headers = { authorization: `Bearer ${LABELER_TOKEN}` };
    const good = await sendTls(
      ingest("/v1/labels"),
      { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey },
      { body, headers },
    );
    expect(good.status).toBe(202);
    // VerifyClientCertIfGiven: a certificate given must verify, credentials or not
    const stranger = await sendTls(
      ingest("/v1/labels"),
      { ca: certs.ca, cert: certs.strangerCert, key: certs.strangerKey },
      { body, headers },
    );
    expect(stranger.status).toBe(401);
    // plain HTTP to the TLS port is refused too
    await expect(send(`http://127.0.0.1:${addr.ingest?.port}/v1/labels`, { body })).rejects.toThrow();
  });

  it("reloads the file: a user added later is accepted without a restart", async () => {
    const r0 = await sendTls(ingest("/v1/labels"), tlsCa(), {
      body: JSON.stringify({ model: "credit", id: "n-1", label: "1" }),
      headers: { authorization: basic("newcomer", "np") },
    });
    expect(r0.status).toBe(401);
    writeFileSync(
      join(dir, "ingest-web.yaml"),
      ingestWebConfig().replace("basic_auth_users:\n", `basic_auth_users:\n  newcomer: ${hash("np")}\n`),
    );
    agent.ingest?.listener.reloadIfChanged();
    const r1 = await sendTls(ingest("/v1/labels"), tlsCa(), {
      body: JSON.stringify({ model: "credit", id: "n-1", label: "1" }),
      headers: { authorization: basic("newcomer", "np") },
    });
    expect(r1.status).toBe(202);
  });
});

describe("/metrics with a web config", () => {
  it("needs the scraper's credentials; the probes' paths do not", async () => {
    const base = `http://127.0.0.1:${addr.metrics.port}`;
    expect((await send(`${base}/metrics`)).status).toBe(401);
    expect(
      (await send(`${base}/metrics`, { headers: { authorization: basic("prometheus", "wrong") } })).status,
    ).toBe(401);
    const ok = await send(`${base}/metrics`, { headers: { authorization: basic("prometheus", SCRAPER_PW) } });
    expect(ok.status).toBe(200);
    // the training distribution is only on the authenticated answer
    expect(ok.body.toString()).toContain("infermon_feature_reference_ratio");
    expect((await send(`${base}/healthz`)).status).toBe(200);
    expect((await send(`${base}/readyz`)).status).toBe(200);
  });
});
