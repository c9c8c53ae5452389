// Shared steps of the conformance suite: a reference profile from training rows, the agent in
// front of a real model server, and the expected drift and accuracy computed in the test.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { type Addresses, Agent } from "../../src/cli/agent.js";
import { parseConfig } from "../../src/config/load.js";
import type { Config, ModelConfig } from "../../src/config/model.js";
import { BinLayout } from "../../src/stats/binLayout.js";
import type { Profile } from "../../src/stats/profile.js";
import { ProfileBuilder } from "../../src/stats/profileBuilder.js";
import { send } from "./http.js";
import { parseMetrics, type Sample } from "./metricsText.js";

export interface RunningAgent {
  agent: Agent;
  addr: Addresses;
  config: Config;
  lines: Record<string, unknown>[];
  tap: string;
  ingest: string;
  metrics(): Promise<Sample[]>;
}

/**
 * The agent (in-process, real listeners on free ports) with `models` (YAML list items) behind a tap
 * to `upstream`, and an ingest; `prepare` writes what the config points at (reference profiles).
 */
export async function startAgent(
  upstream: string,
  models: string,
  prepare: (config: Config) => void = () => {},
): Promise<RunningAgent> {
  const dir = mkdtempSync(join(tmpdir(), "infermon-conformance-"));
  const text = `service: conformance
models:
${models}
tap: {listen: "127.0.0.1:0", upstream: "${upstream}", timeout: 60s}
ingest: {listen: "127.0.0.1:0"}
metrics: {listen: "127.0.0.1:0"}
`;
  const file = join(dir, "infermon.yaml");
  writeFileSync(file, text);
  const config = parseConfig(text, file, dir);
  prepare(config);
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  const agent = new Agent(config, { processMetrics: false, logger });
  const addr = await agent.start();
  return {
    agent,
    addr,
    config,
    lines,
    tap: `http://127.0.0.1:${addr.tap?.port}`,
    ingest: `http://127.0.0.1:${addr.ingest?.port}`,
    async metrics() {
      await agent.queue.idle();
      return parseMetrics((await send(`http://127.0.0.1:${addr.metrics.port}/metrics`)).body.toString());
    },
  };
}

/** A reference profile of `rows` (objects keyed by feature and prediction column). */
export function profileOf(model: ModelConfig, rows: Record<string, unknown>[]): Profile {
  const b = new ProfileBuilder(model);
  for (const r of rows) b.observe(r);
  b.fixBins();
  for (const r of rows) b.count(r);
  return b.build();
}

/**
 * PSI of `values` against the profile slot `name` (a feature, or "__prediction__"), computed here
 * from the layout's bins with laplace smoothing α = 0.5 — what the agent should export.
 */
export function expectedPsi(model: ModelConfig, profile: Profile, name: string, values: unknown[]): number {
  const layout = BinLayout.fromProfile(profile, model);
  const s =
    name === "__prediction__"
      ? layout.slots[layout.predictionSlot]
      : layout.slots.find((x, i) => x.name === name && i < layout.featureCount);
  if (!s) throw new Error(`no slot ${name}`);
  const k = s.bins.size;
  const c = new Array<number>(k).fill(0);
  for (const v of values) {
    const b = layout.binOf(s, v);
    if (b >= 0) c[b - s.offset] = (c[b - s.offset] as number) + 1;
  }
  const n = c.reduce((a, x) => a + x, 0);
  const r = Array.from(s.reference);
  const rn = r.reduce((a, x) => a + x, 0);
  let psi = 0;
  for (let i = 0; i < k; i++) {
    const p = ((c[i] as number) + 0.5) / (n + k * 0.5);
    const q = ((r[i] as number) + 0.5) / (rn + k * 0.5);
    psi += (p - q) * Math.log(p / q);
  }
  return psi;
}

/** POST JSON; the status, headers and raw body. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  return send(url, {
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
