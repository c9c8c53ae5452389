// `infermon demo --stack` (and the end-to-end test): real Prometheus and Alertmanager on loopback,
// running the rules and routes `infermon generate` writes for the given config, notifications
// going to a webhook receiver. Everything lives in one temporary directory the caller owns.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Config } from "../../config/model.js";
import { PATHS } from "../../generate/conventions.js";
import { generate } from "../../generate/pipeline.js";
import { findBinary, type PeerProcess, startPeer } from "./peerProcess.js";
import { alertmanagerYaml, prometheusYaml, type StackTiming } from "./stackConfig.js";

export const PROMETHEUS_BINARIES = ["prometheus"] as const;
/** Debian names Alertmanager's binary prometheus-alertmanager. */
export const ALERTMANAGER_BINARIES = ["alertmanager", "prometheus-alertmanager"] as const;

export const STACK_INSTALL_HINT =
  "install them with `sudo apt-get install prometheus prometheus-alertmanager` (Debian, Ubuntu; `bash .ci/install-peers.sh` in the repository does it), or put the prometheus and alertmanager binaries from prometheus.io/download on PATH";

export interface StackBinaries {
  prometheus?: string;
  alertmanager?: string;
}

export function stackBinaries(): StackBinaries {
  const prometheus = findBinary(PROMETHEUS_BINARIES);
  const alertmanager = findBinary(ALERTMANAGER_BINARIES);
  return { ...(prometheus && { prometheus }), ...(alertmanager && { alertmanager }) };
}

export interface StackOptions {
  config: Config;
  /** an empty directory: generated files, peer configs and data go here */
  dir: string;
  /** host:port of every agent's /metrics */
  targets: readonly string[];
  /** the webhook receiver's base URL */
  webhook: string;
  prometheusPort: number;
  alertmanagerPort: number;
  timing: StackTiming;
  binaries: Required<StackBinaries>;
}

export interface Stack {
  prometheus: PeerProcess;
  alertmanager: PeerProcess;
  /** where `infermon generate` wrote the rules, runbooks, dashboards and Grafana provisioning */
  generated: string;
  stop(): Promise<void>;
}

/** Write what `infermon generate` writes for `config` under `dir` (the demo's own monitoring). */
export function writeGenerated(config: Config, dir: string): void {
  for (const [path, content] of generate(config, { source: "demo config" })) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

export async function startStack(o: StackOptions): Promise<Stack> {
  const generated = join(o.dir, "generated");
  writeGenerated(o.config, generated);
  const amFile = join(o.dir, "alertmanager.yml");
  writeFileSync(
    amFile,
    alertmanagerYaml(
      readFileSync(join(generated, PATHS.alerts, "alertmanager.yaml"), "utf8"),
      o.webhook,
      o.timing,
    ),
  );
  const amData = join(o.dir, "alertmanager-data");
  const promData = join(o.dir, "prometheus-data");
  mkdirSync(amData, { recursive: true });
  mkdirSync(promData, { recursive: true });
  const amAddress = `127.0.0.1:${o.alertmanagerPort}`;
  const alertmanager = await startPeer({
    name: "Alertmanager",
    bin: o.binaries.alertmanager,
    args: [
      `--config.file=${amFile}`,
      `--storage.path=${amData}`,
      `--web.listen-address=${amAddress}`,
      "--cluster.listen-address=",
    ],
    url: `http://${amAddress}`,
    readyPath: "/-/ready",
  });
  const promFile = join(o.dir, "prometheus.yml");
  writeFileSync(
    promFile,
    prometheusYaml({ dir: generated, targets: o.targets, alertmanager: amAddress, timing: o.timing }),
  );
  const promAddress = `127.0.0.1:${o.prometheusPort}`;
  let prometheus: PeerProcess;
  try {
    prometheus = await startPeer({
      name: "Prometheus",
      bin: o.binaries.prometheus,
      args: [
        `--config.file=${promFile}`,
        `--storage.tsdb.path=${promData}`,
        `--web.listen-address=${promAddress}`,
      ],
      url: `http://${promAddress}`,
      readyPath: "/-/ready",
    });
  } catch (err) {
    await alertmanager.stop();
    throw err;
  }
  return {
    prometheus,
    alertmanager,
    generated,
    async stop() {
      await Promise.all([prometheus.stop(), alertmanager.stop()]);
    },
  };
}

export interface PromAlert {
  labels: Record<string, string>;
  state: "pending" | "firing";
  value: string;
}

/** The alerts Prometheus holds now (pending and firing). */
export async function prometheusAlerts(url: string): Promise<PromAlert[]> {
  const res = await fetch(`${url}/api/v1/alerts`);
  if (!res.ok) throw new Error(`GET ${url}/api/v1/alerts: ${res.status}`);
  const body = (await res.json()) as { data: { alerts: PromAlert[] } };
  return body.data.alerts;
}

/** An instant query; the samples with their labels and values. */
export async function promQuery(
  url: string,
  query: string,
): Promise<{ metric: Record<string, string>; value: number }[]> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
  if (!res.ok) throw new Error(`query ${query}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}
