// `infermon run` as a child process (the built CLI), with its JSON log lines collected from stdout.
import { type ChildProcess, spawn } from "node:child_process";
import { CLI } from "./cli.js";

export interface AgentProcess {
  child: ChildProcess;
  ports: { tap?: number; ingest?: number; metrics: number };
  stdout(): string;
  stderr(): string;
  lines(): Record<string, unknown>[];
  /** SIGTERM and wait for the exit code */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  /** the CLI to run (default: this checkout's dist/cli/main.js) */
  cli?: string;
  cwd?: string;
  /** run as this user and group (the image's non-root user) */
  uid?: number;
  gid?: number;
  /** the environment as given, instead of this process's plus `env` */
  cleanEnv?: boolean;
}

export async function startAgent(
  file: string,
  env: Record<string, string> = {},
  o: StartOptions = {},
): Promise<AgentProcess> {
  const child = spawn(process.execPath, [o.cli ?? CLI, "run", "-c", file, "--grace", "2s"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: o.cleanEnv ? env : { ...process.env, ...env },
    ...(o.cwd !== undefined && { cwd: o.cwd }),
    ...(o.uid !== undefined && { uid: o.uid }),
    ...(o.gid !== undefined && { gid: o.gid }),
  });
  let out = "";
  let err = "";
  const lines = () =>
    out
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  child.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ports = await new Promise<AgentProcess["ports"]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not start in 60 s: ${out}${err}`)), 60_000);
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const started = lines().find((l) => l.msg === "agent started");
      if (started) {
        clearTimeout(timer);
        const port = (k: string) =>
          started[k] === "off" || started[k] === undefined
            ? undefined
            : Number(String(started[k]).split(":").at(-1));
        resolve({ tap: port("tap"), ingest: port("ingest"), metrics: port("metrics") as number });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`agent exited ${code}: ${err}`));
    });
  });
  return {
    child,
    ports,
    stdout: () => out,
    stderr: () => err,
    lines,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
