// `infermon demo`: the whole loop on one machine. A toy OIP v2 model server, the agent's tap in
// front of it with a reference profile built from synthetic training data, and traffic that drifts
// part-way through; every few seconds the drift the agent exports on /metrics is printed.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { request } from "undici";
import { parseDuration } from "../config/duration.js";
import { parseConfig } from "../config/load.js";
import { creditModelYaml, creditRow, rng } from "../demo/creditData.js";
import { startToyModel } from "../demo/toyModel.js";
import { startTraffic } from "../demo/traffic.js";
import { ProfileBuilder, type Row } from "../stats/profileBuilder.js";
import { Agent } from "./agent.js";
import { UsageError } from "./usageError.js";

interface Options {
  duration: string;
  port: string;
  metricsPort: string;
  rate: string;
}

const FEATURES = ["income", "age", "score", "region"] as const;
const TRAINING_ROWS = 5000;
const REPORT_EVERY_MS = 5000;

function demoConfig(upstream: string, reference: string, port: number, metricsPort: number): string {
  return `
service: infermon-demo
models:
${creditModelYaml({ reference, windows: "1m, 5m" })}tap: {listen: "127.0.0.1:${port}", upstream: "${upstream}"}
metrics: {listen: "127.0.0.1:${metricsPort}"}
`;
}

function buildReference(path: string): void {
  const config = parseConfig(demoConfig("http://127.0.0.1:1", path, 0, 0));
  const model = config.models[0]!;
  const r = rng(1);
  const rows = Array.from({ length: TRAINING_ROWS }, () => creditRow(r, false) as unknown as Row);
  const b = new ProfileBuilder(model);
  for (const row of rows) b.observe(row);
  b.fixBins();
  for (const row of rows) b.count(row);
  writeFileSync(path, JSON.stringify(b.build()));
}

/** PSI per feature and for the prediction over the 1m window, from the agent's /metrics text. */
function psiOf(metrics: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = /^infermon_(feature|prediction)_psi\{([^}]*)\} (\S+)$/gm;
  for (const m of metrics.matchAll(re)) {
    const labels = m[2] ?? "";
    if (!labels.includes('window="1m"')) continue;
    const feature = /feature="([^"]*)"/.exec(labels)?.[1] ?? "(prediction)";
    out.set(feature, Number(m[3]));
  }
  return out;
}

function row(cells: string[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(8) : c.padStart(12))).join(" ");
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("toy model + tap + traffic that drifts part-way: watch the agent's drift metrics move")
    .option("-d, --duration <duration>", "how long to run (drift starts at 40%)", "60s")
    .option("--port <port>", "tap port on 127.0.0.1 (default: a free port)", "0")
    .option("--metrics-port <port>", "metrics port on 127.0.0.1 (default: a free port)", "0")
    .option("--rate <n>", "requests per second (10 rows each)", "20")
    .action(async (opts: Options) => {
      const durationMs = parseDuration(opts.duration);
      if (durationMs === undefined) throw new UsageError(`--duration: not a duration: ${opts.duration}`);
      const port = Number(opts.port);
      const metricsPort = Number(opts.metricsPort);
      const rate = Number(opts.rate);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port: not a port: ${opts.port}`);
      if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535)
        throw new UsageError(`--metrics-port: not a port: ${opts.metricsPort}`);
      if (!(rate > 0 && rate <= 1000)) throw new UsageError(`--rate: must be in (0, 1000]: ${opts.rate}`);

      const dir = mkdtempSync(join(tmpdir(), "infermon-demo-"));
      const model = await startToyModel();
      let agent: Agent | undefined;
      try {
        const reference = join(dir, "credit.json");
        buildReference(reference);
        agent = new Agent(parseConfig(demoConfig(model.url, reference, port, metricsPort), "demo config"));
        const addr = await agent.start();
        const tapUrl = `http://127.0.0.1:${addr.tap?.port}`;
        const metricsUrl = `http://127.0.0.1:${addr.metrics.port}/metrics`;
        const out = process.stdout;
        out.write(
          `infermon demo: toy model ${model.url}, tap ${tapUrl}, metrics ${metricsUrl}\n` +
            `sending ${rate} req/s × 10 rows for ${opts.duration}; drift starts at ${Math.round((durationMs * 0.4) / 1000)}s. PSI over the 1m window (warning ≥ 0.1, critical ≥ 0.25):\n\n`,
        );
        out.write(`${row(["time", "phase", ...FEATURES, "prediction"])}\n`);
        const start = Date.now();
        const r = rng(2);
        const traffic = startTraffic(tapUrl, r, {
          rate,
          rows: 10,
          drift: () => Date.now() - start >= durationMs * 0.4,
        });
        let last = new Map<string, number>();
        const report = async () => {
          const res = await request(metricsUrl);
          last = psiOf(await res.body.text());
          const t = `${Math.round((Date.now() - start) / 1000)}s`;
          const phase = Date.now() - start >= durationMs * 0.4 ? "drifted" : "normal";
          const v = (k: string) => (last.has(k) ? (last.get(k) as number).toFixed(4) : "-");
          out.write(`${row([t, phase, ...FEATURES.map(v), v("(prediction)")])}\n`);
        };
        await new Promise<void>((resolve) => {
          const timer = setInterval(() => void report().catch(() => {}), REPORT_EVERY_MS);
          const done = () => {
            clearInterval(timer);
            resolve();
          };
          const end = setTimeout(done, durationMs);
          process.once("SIGINT", () => {
            clearTimeout(end);
            done();
          });
        });
        traffic.stop();
        await report();
        const drifted = [...last.entries()].filter(([, psi]) => psi >= 0.25).map(([f]) => f);
        out.write(
          `\n${traffic.stats.sent} requests through the tap (${traffic.stats.failed} failed). ` +
            (drifted.length > 0
              ? `Critical drift (PSI ≥ 0.25) in: ${drifted.join(", ")}.\n`
              : "No critical drift in the 1m window.\n") +
            "Next: `infermon generate` for the dashboards and alerts that watch these metrics.\n",
        );
      } finally {
        // each part is closed even if another fails, so the process always ends
        await agent?.stop(2000).catch(() => {});
        model.server.closeAllConnections();
        await new Promise((resolve) => model.server.close(resolve));
        rmSync(dir, { recursive: true, force: true });
      }
    });
}
