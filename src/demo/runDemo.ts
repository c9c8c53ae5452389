// `infermon demo`: the whole loop on one machine. A toy model server, the agent in front of it (tap,
// ingest for labels, /metrics), traffic from the training population with drift injected part-way,
// ground-truth labels posted late, and a live view judged by the generated rules' levels. With
// `stack`, real Prometheus and Alertmanager run the generated rules and routes, and a webhook
// receiver prints every notification. Every part is stopped on the way out, Ctrl-C included.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "../cli/agent.js";
import { longestTimeWindow } from "../config/window.js";
import { buildRules } from "../generate/pipeline.js";
import { validateForGenerate } from "../generate/validate.js";
import { rng } from "./creditData.js";
import { DEMO_FEATURES, DEMO_MODEL, demoConfig, writeReference } from "./demoConfig.js";
import { LabelFeeder } from "./labelFeeder.js";
import { LiveOutput } from "./liveOutput.js";
import { parseMetrics } from "./metricsText.js";
import { claimPort, withFlag } from "./ports.js";
import { RuleLevelJudge } from "./ruleLevels.js";
import { snapshot } from "./snapshot.js";
import {
  prometheusAlerts,
  promQuery,
  STACK_INSTALL_HINT,
  type Stack,
  stackBinaries,
  startStack,
} from "./stack/stack.js";
import { DEMO_TIMING } from "./stack/stackConfig.js";
import { startWebhookReceiver, type WebhookReceiver } from "./stack/webhookReceiver.js";
import { DemoRecord, notificationLines } from "./summary.js";
import { startToyModel } from "./toyModel.js";
import { startTraffic } from "./traffic.js";
import { COLOURS, featureLevels, levelOf, line, PLAIN, panel, type ViewState } from "./view.js";

export interface DemoOptions {
  durationMs: number;
  /** requests per second (10 applicants each) */
  rate: number;
  ports: { tap: number; ingest: number; metrics: number; prometheus: number; alertmanager: number };
  stack: boolean;
  /** plain lines every intervalMs when not on a terminal */
  intervalMs?: number;
  out?: NodeJS.WriteStream;
  /** aborted by Ctrl-C (SIGINT) or SIGTERM */
  signal: AbortSignal;
}

/** Drift is injected at this share of the duration. */
export const DRIFT_AT = 0.4;
const LABEL_DELAY_MS: [number, number] = [2000, 6000];
const FLAGS = { tap: "--port", ingest: "--ingest-port", metrics: "--metrics-port" };

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

export async function runDemo(o: DemoOptions): Promise<void> {
  const stdout = o.out ?? process.stdout;
  const tty = Boolean(stdout.isTTY) && process.env.TERM !== "dumb";
  const live = new LiveOutput(stdout, tty);
  const paint = tty && process.env.NO_COLOR === undefined ? COLOURS : PLAIN;
  const say = (l: string) => live.log(l);
  const dir = mkdtempSync(join(tmpdir(), "infermon-demo-"));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const cleanup = async () => {
    // each part is closed even if another fails, latest first, so the process always ends
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {});
    cleanups.length = 0;
  };
  if (tty) {
    stdout.write("\x1b[?25l");
    cleanups.unshift(() => void stdout.write("\x1b[?25h"));
  }
  try {
    // the ports asked for must be free (a clear error naming each); 0 picks one
    const port = {
      tap: await claimPort(o.ports.tap, "tap", FLAGS.tap),
      ingest: await claimPort(o.ports.ingest, "ingest", FLAGS.ingest),
      metrics: await claimPort(o.ports.metrics, "metrics", FLAGS.metrics),
    };
    const model = await startToyModel();
    cleanups.push(() => model.close());
    const reference = join(dir, "credit.json");
    const listen = {
      tap: `127.0.0.1:${port.tap}`,
      ingest: `127.0.0.1:${port.ingest}`,
      metrics: `127.0.0.1:${port.metrics}`,
    };
    const config = demoConfig({ upstream: model.url, reference, listen });
    const modelConfig = config.models[0]!;
    writeReference(modelConfig, reference);
    const agent = new Agent(config);
    let addr: Awaited<ReturnType<Agent["start"]>>;
    try {
      addr = await agent.start();
    } catch (err) {
      throw withFlag(err, FLAGS);
    }
    cleanups.push(() => agent.stop(2000));
    const tapUrl = `http://127.0.0.1:${addr.tap?.port}`;
    const ingestUrl = `http://127.0.0.1:${addr.ingest?.port}`;
    const metricsUrl = `http://127.0.0.1:${addr.metrics.port}/metrics`;
    const window = longestTimeWindow(modelConfig.windows).name;

    // the generated rules of the demo's config: their levels judge what the view shows
    const rules = buildRules(config, validateForGenerate(config)).files.flatMap((f) =>
      f.groups.flatMap((g) => g.rules),
    );
    const judge = new RuleLevelJudge(rules);
    const record = new DemoRecord();

    say(`infermon demo: toy model ${model.url}, tap ${tapUrl}, ingest ${ingestUrl}`);
    say(`metrics: ${metricsUrl}`);
    say(
      `${o.rate} req/s × 10 applicants for ${Math.round(o.durationMs / 1000)}s; drift injected at ${Math.round((o.durationMs * DRIFT_AT) / 1000)}s (income ×1.5, a new region "islands"); labels posted ${LABEL_DELAY_MS[0] / 1000}–${LABEL_DELAY_MS[1] / 1000}s after each prediction`,
    );

    let stack: Stack | undefined;
    let webhook: WebhookReceiver | undefined;
    if (o.stack && !o.signal.aborted) {
      const bins = stackBinaries();
      if (!bins.prometheus || !bins.alertmanager) {
        const missing = [!bins.prometheus && "Prometheus", !bins.alertmanager && "Alertmanager"].filter(
          Boolean,
        );
        say(
          `--stack: ${missing.join(" and ")} not found on PATH; ${STACK_INSTALL_HINT}. Carrying on without the stack.`,
        );
      } else {
        const promPort = await claimPort(o.ports.prometheus, "Prometheus", "--prometheus-port");
        const amPort = await claimPort(o.ports.alertmanager, "Alertmanager", "--alertmanager-port");
        webhook = await startWebhookReceiver((n) => {
          record.notifications.push(n);
          for (const l of notificationLines(n)) say(l);
        });
        cleanups.push(() => webhook?.close());
        try {
          stack = await startStack({
            config,
            dir: join(dir, "stack"),
            targets: [`127.0.0.1:${addr.metrics.port}`],
            webhook: webhook.url,
            prometheusPort: promPort,
            alertmanagerPort: amPort,
            timing: DEMO_TIMING,
            binaries: { prometheus: bins.prometheus, alertmanager: bins.alertmanager },
          });
          const s = stack;
          cleanups.push(() => s.stop());
          say(
            `Prometheus ${stack.prometheus.url} (rules generated from the demo's config, scrape and evaluation every ${DEMO_TIMING.interval})`,
          );
          say(
            `Alertmanager ${stack.alertmanager.url} (generated routes; every receiver posts to ${webhook.url}, printed here)`,
          );
          say(
            `generated rules, runbooks, dashboards and Grafana provisioning: ${stack.generated} (docs/grafana.md; removed on exit)`,
          );
        } catch (err) {
          say(`--stack: ${(err as Error).message}\nCarrying on without the stack.`);
        }
      }
    }

    const labels = new LabelFeeder({ ingestUrl, delayMs: LABEL_DELAY_MS, random: rng(3).next });
    labels.start();
    cleanups.push(() => labels.stop());
    const start = Date.now();
    const driftAtMs = o.durationMs * DRIFT_AT;
    const drifted = () => Date.now() - start >= driftAtMs;
    const traffic = startTraffic(tapUrl, rng(2), {
      model: DEMO_MODEL,
      rate: o.rate,
      rows: 10,
      drifted,
      labels,
    });
    cleanups.push(() => traffic.stop());

    let before: ViewState["now"] | undefined;
    let lastLine = 0;
    let printed: ViewState["now"] | undefined;
    const interval = o.intervalMs ?? (tty ? 1000 : 5000);
    const tick = async (final: boolean) => {
      const res = await fetch(metricsUrl);
      const samples = parseMetrics(await res.text());
      const now = Date.now();
      const snap = snapshot(samples, {
        t: now - start,
        drifted: drifted(),
        model: DEMO_MODEL,
        window,
        features: DEMO_FEATURES,
      });
      const alerts = judge.evaluate(samples, now);
      const state: ViewState = {
        now: snap,
        alerts,
        samples,
        model: DEMO_MODEL,
        driftAtMs,
        ...(before && { before }),
      };
      if (stack) {
        const p = await prometheusAlerts(stack.prometheus.url).catch(() => []);
        state.prometheus = p.map((a) => ({
          name: a.labels.alertname ?? "",
          severity: a.labels.severity ?? "",
          state: a.state,
          ...(a.labels.feature && { feature: a.labels.feature }),
        }));
      }
      const pLevel =
        snap.predictionPsi === undefined
          ? "ok"
          : levelOf(
              judge,
              "infermon_prediction_psi",
              { model: DEMO_MODEL, window },
              snap.predictionPsi,
              samples,
            );
      record.observe(snap, featureLevels(judge, state), pLevel, alerts);
      if (tty && !final) live.panel(panel(judge, state, paint));
      else if (final || now - lastLine >= interval) {
        // A printed line's req/s covers the time since the previous printed line, not the last tick.
        const { before: _tick, ...rest } = state;
        say(line(judge, { ...rest, ...(printed && { before: printed }) }));
        lastLine = now;
        printed = snap;
      }
      before = snap;
    };
    while (!o.signal.aborted && Date.now() - start < o.durationMs) {
      await sleep(Math.min(tty ? 1000 : 1000, o.durationMs - (Date.now() - start)), o.signal);
      await tick(false).catch((err) => say(`could not read ${metricsUrl}: ${(err as Error).message}`));
    }
    await traffic.stop();
    await tick(true).catch(() => {});
    live.release();
    if (o.signal.aborted) stdout.write("\ninterrupted: stopping every part\n");
    if (stack) {
      // what Prometheus saw fire over the run (its ALERTS series), before it stops
      const fired = await promQuery(
        stack.prometheus.url,
        'count by (alertname, severity, feature) (max_over_time(ALERTS{alertstate="firing"}[1h]))',
      ).catch(() => []);
      record.prometheusFired = fired.map((f) => ({
        name: f.metric.alertname ?? "",
        severity: f.metric.severity ?? "",
        ...(f.metric.feature && { feature: f.metric.feature }),
      }));
    }
    for (const l of record.lines({
      requests: traffic.stats.sent,
      failed: traffic.stats.failed,
      labelsPosted: labels.stats.posted,
      metricsUrl,
    }))
      stdout.write(`${l}\n`);
    if (!o.signal.aborted)
      stdout.write(
        `next: \`infermon generate -c infermon.yaml\` writes these rules, runbooks and dashboards for your own models${o.stack ? "" : "; `infermon demo --stack` runs them in Prometheus and Alertmanager"}\n`,
      );
  } finally {
    await cleanup();
  }
}
