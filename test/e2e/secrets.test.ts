// Issue #16 §7: no secret reaches a log, an error or /metrics. Secrets are planted in every input a
// user gives infermon — the upstream URL's userinfo, the OTLP endpoint (a password with "@") and its
// headers, data paths (userinfo and a presigned query), request headers — then everything the
// processes print and serve is searched for them. The upstream credential is not lost either: the
// model server receives it as basic auth.
import { spawnSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { type AgentProcess, startAgent } from "../helpers/agentProcess.js";
import { CLI, creditDriftArgs, ROOT } from "../helpers/cli.js";
import { send } from "../helpers/http.js";
import { type ModelServer, startModelServer } from "../helpers/modelServer.js";
import { freePort } from "../helpers/peerProcess.js";

const SECRETS = {
  upstream: "Up5tr3amPw",
  otlp: "0tlp@Pw!x",
  otlpHeader: "Hdr5ecretTok",
  dataPw: "Data5ecretPw",
  signature: "5igNatureAbc123",
  clientAuth: "ClientBearer99",
  apiKey: "ApiKey5ecret",
};

/** Every secret (and the part after an "@" inside one) that appears in `text`. */
function leaked(text: string): string[] {
  return Object.values(SECRETS).flatMap((s) => [s, ...s.split("@").slice(1)].filter((p) => text.includes(p)));
}

let upstream: ModelServer;
let agent: AgentProcess;
let metricsText = "";

beforeAll(async () => {
  upstream = await startModelServer();
  const u = new URL(upstream.url);
  const { file } = writeFixture({ upstream: `http://infermon:${SECRETS.upstream}@${u.host}`, ingest: true });
  appendFileSync(
    file,
    "tracing: {enabled: true, sample_ratio: 1.0}\nlogging: {level: debug, log_payloads: true}\n",
  );
  const dead = await freePort();
  agent = await startAgent(file, {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://collector:${SECRETS.otlp}@127.0.0.1:${dead}`,
    OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${SECRETS.otlpHeader}`,
    OTEL_BSP_SCHEDULE_DELAY: "50",
    OTEL_EXPORTER_OTLP_TIMEOUT: "300",
  });
  const tap = `http://127.0.0.1:${agent.ports.tap}`;
  const headers = {
    authorization: `Bearer ${SECRETS.clientAuth}`,
    "x-api-key": SECRETS.apiKey,
    "content-type": "application/json",
  };
  // a good request, a body the model's protocol cannot read (logged with its payload), an unknown route
  await send(`${tap}/v2/models/credit/infer`, { body: oipRequest([creditRow(rng(1))]), headers });
  await send(`${tap}/v2/models/credit/infer`, { body: "{not json", headers });
  await send(`${tap}/elsewhere?token=${SECRETS.signature}`, { headers });
  await send(`http://127.0.0.1:${agent.ports.ingest}/v1/labels?sig=${SECRETS.signature}`, {
    body: "{bad",
    headers,
  });
  await new Promise((r) => setTimeout(r, 1500)); // trace export attempts fail and are logged
  metricsText = (await send(`http://127.0.0.1:${agent.ports.metrics}/metrics`)).body.toString();
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await upstream?.close();
});

describe("secrets planted in every input", () => {
  it("the upstream credential is sent as basic auth, except where the client brings its own", () => {
    const basic = `Basic ${Buffer.from(`infermon:${SECRETS.upstream}`).toString("base64")}`;
    // the client's own Authorization is end-to-end and passes through as it is
    expect(upstream.headers.every((h) => h.authorization === `Bearer ${SECRETS.clientAuth}`)).toBe(true);
    return send(`http://127.0.0.1:${agent.ports.tap}/v2/models/credit/infer`, {
      body: oipRequest([creditRow(rng(2))]),
    }).then((r) => {
      expect(r.status).toBe(200);
      expect(upstream.headers.at(-1)?.authorization).toBe(basic);
    });
  });

  it("appear in no log line of the agent and not on /metrics", async () => {
    await agent.stop();
    const out = agent.stdout() + agent.stderr();
    expect(agent.lines().some((l) => l.msg === "agent started")).toBe(true);
    expect(out).toContain("[redacted]");
    expect(leaked(out)).toEqual([]);
    expect(leaked(metricsText)).toEqual([]);
  });

  it("appear in no error of drift or baseline", () => {
    const urls = [
      `https://reader:${SECRETS.dataPw}@127.0.0.1:1/data/current.csv?X-Amz-Signature=${SECRETS.signature}`,
      // a password with an unescaped "/" (no valid URL, still no leak), and a presigned s3 URL
      `https://reader:ab/${SECRETS.dataPw}@127.0.0.1:1/x.csv`,
      `s3://bucket/data.parquet?X-Amz-Signature=${SECRETS.signature}`,
    ];
    const runs = urls.flatMap((url) => [
      creditDriftArgs(url),
      ["baseline", "-c", "examples/infermon.yaml", "-m", "credit", "--data", url, "-o", "/tmp/never.json"],
    ]);
    for (const args of runs) {
      const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
      expect(r.status, r.stderr).not.toBe(0);
      expect(r.stderr.length).toBeGreaterThan(0);
      expect(leaked(r.stdout + r.stderr), r.stderr).toEqual([]);
    }
  }, 180_000);
});
