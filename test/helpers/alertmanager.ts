// A real Alertmanager on loopback (Debian names the binary prometheus-alertmanager), for tests
// of what amtool cannot check: inhibition between firing alerts.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startPeerProcess } from "./peerProcess.js";
import { hasTool } from "./peers.js";

export const ALERTMANAGER_BINARIES = ["alertmanager", "prometheus-alertmanager"] as const;

/** The Alertmanager binary on PATH, if any. */
export function alertmanagerBinary(): string | undefined {
  return ALERTMANAGER_BINARIES.find(hasTool);
}

export interface RunningAlertmanager {
  url: string;
  /** POST alerts (labels only; they fire until the resolve timeout) */
  post(alerts: Record<string, string>[]): Promise<void>;
  /** GET every alert Alertmanager holds, with its status */
  alerts(): Promise<AmAlert[]>;
  stop(): Promise<void>;
}

export interface AmAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[]; silencedBy: string[] };
}

export async function startAlertmanager(configFile: string): Promise<RunningAlertmanager> {
  const bin = alertmanagerBinary();
  if (!bin) throw new Error("no alertmanager binary on PATH");
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), "infermon-am-"));
  const url = `http://127.0.0.1:${port}`;
  const { stop } = await startPeerProcess({
    name: "alertmanager",
    bin,
    args: [
      `--config.file=${configFile}`,
      `--storage.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ],
    readyUrl: `${url}/-/ready`,
    readyTimeoutMs: 30_000,
    pollMs: 100,
    dir: data,
  });
  return {
    url,
    async post(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(alerts.map((labels) => ({ labels }))),
      });
      if (!res.ok) throw new Error(`POST /api/v2/alerts: ${res.status} ${await res.text()}`);
    },
    async alerts() {
      const res = await fetch(`${url}/api/v2/alerts`);
      if (!res.ok) throw new Error(`GET /api/v2/alerts: ${res.status}`);
      return (await res.json()) as AmAlert[];
    },
    stop,
  };
}
