// The shadow replayer against a real second model server process (test/helpers/shadowServer.mjs):
// agreement and the difference histogram equal a computation here on the same rows; the client's
// response is byte-identical to the primary's and on time while the shadow is slow, failing or
// down; replays are bounded (in flight, queue) and counted when dropped; nothing is sent to the
// primary twice; the shadow gets the request with a marker header, without the client's cookie.
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { creditRow, oipRequest, rng, writeFixture } from "../helpers/agentFixture.js";
import { endToEnd, send } from "../helpers/http.js";
import { metricValue, parseMetrics, type Sample } from "../helpers/metricsText.js";
import { creditScore, type ModelServer, startModelServer } from "../helpers/modelServer.js";
import { startShadowServer } from "../helpers/shadowServerProcess.js";

const SHIFT = 0.8;
/** the shadow's timeout; the slow shadow takes longer, so a client that waited for it would wait this long */
const TIMEOUT_MS = 2000;
/** far below the shadow's timeout, far above a loopback request on a busy machine */
const ON_TIME_MS = 1000;

let primary: ModelServer;
let shadowProc: ChildProcess;
let shadowUrl = "";
let agent: Agent;
let addr: Addresses;

const control = async (state: Record<string, number>) => {
  const r = await send(`${shadowUrl}/control`, { body: JSON.stringify(state) });
  expect(r.status).toBe(200);
};
const seen = async () =>
  JSON.parse((await send(`${shadowUrl}/seen`)).body.toString()) as {
    path: string;
    shadow: string | null;
    requestId: string | null;
    cookie: string | null;
    authorization: string | null;
  }[];

async function metrics(): Promise<Sample[]> {
  await agent.idle();
  await agent.shadow?.idle();
  return parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
}
const value = (m: Sample[], name: string, labels: Record<string, string>) =>
  metricValue(m, name, { model: "credit", ...labels }) ?? 0;
/** What changed between two scrapes. */
const delta = (a: Sample[], b: Sample[], name: string, labels: Record<string, string>) =>
  value(b, name, labels) - value(a, name, labels);

const tap = (path = "/v2/models/credit/infer") => `http://127.0.0.1:${addr.tap?.port}${path}`;

function request(seed: number, rows: number, id: string) {
  const r = rng(seed);
  const list = Array.from({ length: rows }, () => creditRow(r));
  return { rows: list, body: oipRequest(list, id) };
}

beforeAll(async () => {
  primary = await startModelServer();
  const s = await startShadowServer();
  shadowProc = s.proc;
  shadowUrl = s.url;
  const { config } = writeFixture({
    upstream: primary.url,
    minSamples: 5,
    creditExtra: `    shadow: {upstream: "${shadowUrl}", sample: 1, timeout: ${TIMEOUT_MS}ms, max_in_flight: 2, queue_size: 3}\n`,
  });
  agent = new Agent(config, { processMetrics: false });
  addr = await agent.start();
});

afterAll(async () => {
  await agent?.stop(500);
  await primary?.close();
  if (shadowProc && shadowProc.exitCode === null) shadowProc.kill("SIGTERM");
});

describe("shadow comparison", () => {
  it("counts every replay series at 0 from the start", async () => {
    const m = await metrics();
    for (const side of ["primary", "shadow"])
      for (const code of ["200", "500", "502", "504"])
        expect(metricValue(m, "infermon_shadow_requests_total", { model: "credit", side, code })).toBe(0);
    for (const result of ["agree", "disagree", "no_prediction"])
      expect(metricValue(m, "infermon_shadow_comparisons_total", { model: "credit", result })).toBe(0);
    for (const reason of ["queue_full", "overload", "unreachable", "body_too_large", "shutdown"])
      expect(metricValue(m, "infermon_shadow_dropped_total", { model: "credit", reason })).toBe(0);
    expect(m.some((s) => s.name.startsWith("infermon_shadow_") && s.labels.model === "house-price")).toBe(
      false,
    );
  });

  it("compares request by request: agreement and differences equal a computation on the same rows", async () => {
    await control({ shift: SHIFT, delayMs: 0, status: 200 });
    const before = await metrics();
    const hitsBefore = primary.hits.length;
    let agree = 0;
    let disagree = 0;
    const diffs: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) {
      const { rows, body } = request(1000 + i, 1 + (i % 4), `cmp-${i}`);
      const r = await send(tap(), {
        headers: {
          "content-type": "application/json",
          cookie: "session=secret",
          authorization: "Bearer t0k",
        },
        body,
      });
      expect(r.status).toBe(200);
      ids.push(r.headers["x-request-id"] as string);
      for (const row of rows) {
        const p = creditScore(row.income as number, row.score as number);
        const z = Math.log(p / (1 - p)) + SHIFT;
        const s = 1 / (1 + Math.exp(-z));
        if (p >= 0.5 === s >= 0.5) agree++;
        else disagree++;
        diffs.push(Math.abs(s - p));
      }
      // one request at a time: the queue never fills here
      await agent.shadow?.idle();
    }
    const m = await metrics();
    expect(disagree).toBeGreaterThan(0);
    expect(delta(before, m, "infermon_shadow_comparisons_total", { result: "agree" })).toBe(agree);
    expect(delta(before, m, "infermon_shadow_comparisons_total", { result: "disagree" })).toBe(disagree);
    expect(delta(before, m, "infermon_shadow_prediction_difference_count", {})).toBe(diffs.length);
    expect(delta(before, m, "infermon_shadow_prediction_difference_sum", {})).toBeCloseTo(
      diffs.reduce((a, b) => a + b, 0),
      9,
    );
    for (const le of ["0.05", "0.1", "0.25"])
      expect(delta(before, m, "infermon_shadow_prediction_difference_bucket", { le })).toBe(
        diffs.filter((d) => d <= Number(le)).length,
      );
    for (const side of ["primary", "shadow"]) {
      expect(delta(before, m, "infermon_shadow_requests_total", { side, code: "200" })).toBe(24);
      expect(delta(before, m, "infermon_shadow_request_duration_seconds_count", { side })).toBe(24);
    }
    // the shadow's predictions: classes, and their drift once the window holds min_samples
    const shadowOnes = diffs.length; // every row has a class
    expect(
      delta(before, m, "infermon_shadow_predictions_total", { class: "0" }) +
        delta(before, m, "infermon_shadow_predictions_total", { class: "1" }),
    ).toBe(shadowOnes);
    expect(value(m, "infermon_shadow_prediction_psi", { window: "5m" })).toBeGreaterThan(0);
    // never sent to the primary twice; the shadow got each request once, marked, without the cookie
    expect(primary.hits.length - hitsBefore).toBe(24);
    const got = (await seen()).slice(-24);
    expect(got.map((x) => x.requestId)).toEqual(ids);
    for (const x of got) {
      expect(x).toMatchObject({
        path: "/v2/models/credit/infer",
        shadow: "1",
        cookie: null,
        authorization: "Bearer t0k",
      });
    }
  });

  /** The same request through the tap and straight to the primary: equal end to end, and how long the tap took. */
  async function clientSees(i: number): Promise<number> {
    const { body } = request(5000 + i, 2, `same-${i}`);
    const headers = { "content-type": "application/json", "x-request-id": `client-${i}` };
    const direct = await send(`${primary.url}/v2/models/credit/infer`, { headers, body });
    const t0 = performance.now();
    const viaTap = await send(tap(), { headers, body });
    const ms = performance.now() - t0;
    expect(endToEnd(viaTap)).toEqual(endToEnd(direct));
    expect(viaTap.body.equals(direct.body)).toBe(true);
    return ms;
  }

  it("answers clients byte-identically and on time while the shadow is slow; replays beyond the bounds are dropped", {
    timeout: 60_000,
  }, async () => {
    await control({ shift: 0, delayMs: 3000, status: 200 });
    const before = await metrics();
    const times: number[] = [];
    let maxInFlight = 0;
    for (let i = 0; i < 12; i++) {
      times.push(await clientSees(i));
      const g = parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
      maxInFlight = Math.max(maxInFlight, value(g, "infermon_shadow_in_flight", {}));
    }
    times.sort((a, b) => a - b);
    // a shadow answer takes 3 s (timed out at 2 s): no client request waited for one
    expect(times[times.length - 1]).toBeLessThan(ON_TIME_MS);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    const m = await metrics();
    const timedOut = delta(before, m, "infermon_shadow_requests_total", { side: "shadow", code: "504" });
    // beyond 2 in flight and 3 queued: dropped (queue_full, or overload while the loop is saturated)
    const dropped =
      delta(before, m, "infermon_shadow_dropped_total", { reason: "queue_full" }) +
      delta(before, m, "infermon_shadow_dropped_total", { reason: "overload" });
    expect(timedOut).toBeGreaterThan(0);
    expect(dropped).toBeGreaterThan(0);
    // every sampled request is either replayed (and timed out) or dropped, never both, never lost
    expect(timedOut + dropped).toBe(12);
    expect(delta(before, m, "infermon_shadow_skipped_total", { reason: "shadow_failed" })).toBe(timedOut);
    expect(delta(before, m, "infermon_shadow_comparisons_total", { result: "agree" })).toBe(0);
  });

  it("answers clients byte-identically while the shadow fails with 500", async () => {
    await control({ delayMs: 0, status: 500 });
    const before = await metrics();
    for (let i = 0; i < 4; i++) {
      expect(await clientSees(100 + i)).toBeLessThan(ON_TIME_MS);
      await agent.shadow?.idle();
    }
    const m = await metrics();
    expect(delta(before, m, "infermon_shadow_requests_total", { side: "shadow", code: "500" })).toBe(4);
    expect(delta(before, m, "infermon_shadow_requests_total", { side: "primary", code: "200" })).toBe(4);
    expect(delta(before, m, "infermon_shadow_skipped_total", { reason: "shadow_failed" })).toBe(4);
  });

  it("counts a primary that failed, and never replays into the primary", async () => {
    await control({ status: 200 });
    const before = await metrics();
    const hits = primary.hits.length;
    const r = await send(tap(), { headers: { "content-type": "application/json" }, body: "{not json" });
    expect(r.status).toBe(400);
    const m = await metrics();
    expect(delta(before, m, "infermon_shadow_requests_total", { side: "primary", code: "400" })).toBe(1);
    expect(delta(before, m, "infermon_shadow_skipped_total", { reason: "primary_failed" })).toBe(1);
    expect(primary.hits.length - hits).toBe(1);
  });

  it("answers clients byte-identically while the shadow process is down, backs off, and resumes when it is back", {
    timeout: 60_000,
  }, async () => {
    const exited = new Promise((r) => shadowProc.once("exit", r));
    shadowProc.kill("SIGKILL");
    await exited;
    const before = await metrics();
    for (let i = 0; i < 6; i++) {
      expect(await clientSees(200 + i)).toBeLessThan(ON_TIME_MS);
      await agent.shadow?.idle();
    }
    const m = await metrics();
    const refused = delta(before, m, "infermon_shadow_requests_total", { side: "shadow", code: "502" });
    const backedOff = delta(before, m, "infermon_shadow_dropped_total", { reason: "unreachable" });
    // the first replay finds it down; the next ones are not tried until the back-off has passed
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(refused + backedOff).toBe(6);
    expect(backedOff).toBeGreaterThan(0);
    expect(delta(before, m, "infermon_shadow_skipped_total", { reason: "shadow_failed" })).toBe(refused);
    // the same shadow back on its port: after the back-off (1 s, then 2 s, …) replays flow again
    const back = await startShadowServer(Number(new URL(shadowUrl).port));
    shadowProc = back.proc;
    const resumed = await metrics();
    let compared = 0;
    for (let i = 0; i < 40 && compared === 0; i++) {
      await clientSees(300 + i);
      await agent.shadow?.idle();
      compared = delta(resumed, await metrics(), "infermon_shadow_comparisons_total", { result: "agree" });
      if (compared === 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(compared).toBeGreaterThan(0);
  });
});
