// A peer (Prometheus, Alertmanager) as a child process: spawned in the demo's process group, ready
// once its HTTP endpoint answers, stopped with SIGTERM (SIGKILL after a grace period) and always
// waited for, so nothing is left behind. A peer that exits early reports its last output lines
// (a port in use, a bad config) in the error.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";

export interface PeerProcess {
  name: string;
  url: string;
  pid: number | undefined;
  /** the last lines it printed */
  output(): string;
  stop(): Promise<void>;
}

/** The first of `names` found on PATH. */
export function findBinary(names: readonly string[]): string | undefined {
  return names.find((n) => spawnSync("sh", ["-c", `command -v ${n}`], { stdio: "ignore" }).status === 0);
}

export async function startPeer(o: {
  name: string;
  bin: string;
  args: string[];
  url: string;
  readyPath: string;
  timeoutMs?: number;
}): Promise<PeerProcess> {
  const child: ChildProcess = spawn(o.bin, o.args, { stdio: ["ignore", "pipe", "pipe"] });
  let tail: string[] = [];
  const keep = (b: Buffer) => {
    tail = [
      ...tail,
      ...b
        .toString()
        .split("\n")
        .filter((l) => l.trim() !== ""),
    ].slice(-20);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  let spawnError: Error | undefined;
  child.once("error", (e) => {
    spawnError = e;
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(killer);
    }
  };
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  for (;;) {
    if (spawnError) throw new Error(`${o.name} (${o.bin}) could not be started: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `${o.name} exited at start (code ${child.exitCode}):\n  ${tail.slice(-5).join("\n  ")}`,
      );
    try {
      if ((await fetch(`${o.url}${o.readyPath}`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `${o.name} not ready after ${(o.timeoutMs ?? 30_000) / 1000}s:\n  ${tail.slice(-5).join("\n  ")}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name: o.name, url: o.url, pid: child.pid, output: () => tail.join("\n"), stop };
}
