// A real Alertmanager on loopback (Debian names the binary prometheus-alertmanager), for tests
// of what amtool cannot check: inhibition between firing alerts.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasTool } from "./peers.js";

export const ALERTMANAGER_BINARIES = ["alertmanager", "prometheus-alertmanager"] as const;

/** The Alertmanager binary on PATH, if any. */
export function alertmanagerBinary(): string | undefined {
  return ALERTMANAGER_BINARIES.find(hasTool);
}

/** A free loopback port (the OS picks it; released before Alertmanager binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
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
  let output = "";
  const proc: ChildProcess = spawn(
    bin,
    [
      `--config.file=${configFile}`,
      `--storage.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  proc.stdout?.on("data", (b: Buffer) => (output += b.toString()));
  proc.stderr?.on("data", (b: Buffer) => (output += b.toString()));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const stop = async () => {
    if (proc.exitCode === null) proc.kill("SIGTERM");
    await exited;
    rmSync(data, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`alertmanager exited: ${output}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`alertmanager not ready after 30s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
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
