// A real Prometheus server on loopback (Debian's `prometheus` package, .ci/install-peers.sh), for
// tests where generated rules must evaluate on scraped series and send alerts to Alertmanager.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { freePort, startPeerProcess } from "./peerProcess.js";
import { hasTool } from "./peers.js";

/** True when `prometheus` is on PATH; false (skip) locally; throws when CI is set and it is missing. */
export function requirePrometheus(): boolean {
  if (hasTool("prometheus")) return true;
  if (process.env.CI)
    throw new Error("prometheus is required in CI but is not installed (.ci/install-peers.sh)");
  return false;
}

export interface RunningPrometheus {
  url: string;
  /** an instant query; the result vector */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

/** A scrape target with its own target labels (e.g. the `pod` a PodMonitor would give it). */
export interface LabelledTarget {
  address: string;
  labels: Record<string, string>;
}

export interface PrometheusOptions {
  /** host:port targets of job `infermon` (or with target labels) */
  targets?: (string | LabelledTarget)[];
  ruleFiles?: string[];
  alertmanagerUrl?: string;
  /** scrape and rule evaluation interval (default 1s) */
  interval?: string;
}

export async function startPrometheus(o: PrometheusOptions = {}): Promise<RunningPrometheus> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "infermon-prom-"));
  const interval = o.interval ?? "1s";
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: o.ruleFiles ?? [],
    scrape_configs: o.targets
      ? [
          {
            job_name: "infermon",
            honor_labels: true,
            static_configs: o.targets.map((t) =>
              typeof t === "string" ? { targets: [t] } : { targets: [t.address], labels: t.labels },
            ),
          },
        ]
      : [],
    ...(o.alertmanagerUrl && {
      alerting: {
        alertmanagers: [{ static_configs: [{ targets: [new URL(o.alertmanagerUrl).host] }] }],
      },
    }),
  };
  writeFileSync(join(dir, "prometheus.yml"), stringify(config));
  const url = `http://127.0.0.1:${port}`;
  const { stop } = await startPeerProcess({
    name: "prometheus",
    bin: "prometheus",
    args: [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    readyUrl: `${url}/-/ready`,
    readyTimeoutMs: 60_000,
    pollMs: 200,
    dir,
  });
  return {
    url,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: { resultType: string; result: unknown };
      };
      if (body.status !== "success") throw new Error(`query ${expr}: ${body.error}`);
      if (body.data?.resultType !== "vector") return [];
      return body.data.result as { metric: Record<string, string>; value: [number, string] }[];
    },
    stop,
  };
}
