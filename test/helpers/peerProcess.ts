// A real peer (Prometheus, Alertmanager) as a child process on loopback: started with its output
// kept for failure messages, polled until its ready endpoint answers, stopped with its files removed.
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { createServer } from "node:net";

/** A free loopback port (the OS picks it; released before the peer binds it). */
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

export interface PeerProcessOptions {
  /** for error messages: "prometheus" */
  name: string;
  bin: string;
  args: string[];
  /** polled until it answers 2xx */
  readyUrl: string;
  readyTimeoutMs: number;
  pollMs: number;
  /** the peer's temporary directory, removed at stop */
  dir: string;
}

export interface PeerProcess {
  /** SIGTERM (if still running), wait for the exit, remove `dir` */
  stop(): Promise<void>;
}

/** Starts the peer and waits until it is ready; throws with its output when it exits or times out. */
export async function startPeerProcess(o: PeerProcessOptions): Promise<PeerProcess> {
  let output = "";
  const proc: ChildProcess = spawn(o.bin, o.args, { stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout?.on("data", (b: Buffer) => (output += b.toString()));
  proc.stderr?.on("data", (b: Buffer) => (output += b.toString()));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const stop = async () => {
    if (proc.exitCode === null) proc.kill("SIGTERM");
    await exited;
    rmSync(o.dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + o.readyTimeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${o.name} exited: ${output}`);
    try {
      if ((await fetch(o.readyUrl)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${o.name} not ready after ${o.readyTimeoutMs / 1000}s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
  return { stop };
}
