// `infermon demo --stack`: real Prometheus and Alertmanager run the rules generated from the demo's
// config, the webhook receiver prints the notifications, and Ctrl-C stops every child process.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { alertmanagerBinary } from "../helpers/alertmanager.js";
import { CLI, infermon, ROOT } from "../helpers/cli.js";
import { requireTool } from "../helpers/peers.js";

/** Every process whose parent is `pid`, and theirs (from /proc). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      // pid (comm) state ppid …: comm may hold spaces, so read after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(d), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) {
      if (pp !== p) continue;
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

const alive = (pid: number) =>
  existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));

function waitFor(child: ChildProcess, output: () => string, re: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const timer = setInterval(() => {
      if (re.test(output())) {
        clearInterval(timer);
        resolve();
      } else if (child.exitCode !== null || Date.now() > deadline) {
        clearInterval(timer);
        reject(new Error(`no ${re} in the demo's output (exit ${child.exitCode}):\n${output()}`));
      }
    }, 200);
  });
}

const stackInstalled = requireTool("prometheus") && alertmanagerBinary() !== undefined;

describe("infermon demo --stack", () => {
  it.runIf(stackInstalled)(
    "runs the generated rules in Prometheus, prints Alertmanager's notifications, and Ctrl-C stops every child",
    async () => {
      const child = spawn(
        process.execPath,
        [CLI, "demo", "--stack", "--duration", "90s", "--interval", "5s"],
        {
          cwd: ROOT,
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let out = "";
      let err = "";
      child.stdout?.on("data", (b: Buffer) => (out += b.toString()));
      child.stderr?.on("data", (b: Buffer) => (err += b.toString()));
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      try {
        await waitFor(child, () => out, /Alertmanager http:\/\/127\.0\.0\.1:\d+/, 60_000);
        expect(out).toMatch(/Prometheus http:\/\/127\.0\.0\.1:\d+/);
        const peers = descendants(child.pid as number);
        expect(peers.length).toBeGreaterThanOrEqual(2); // Prometheus and Alertmanager
        // drift is injected at 36 s: the owner's receiver hears of the new region's drift
        await waitFor(
          child,
          () => out,
          /notification → ml-credit-(ticket|page): firing .*model=credit/,
          80_000,
        );
        // the drifted feature is named: in the alert's labels, or in a per-model alert's description
        expect(out).toMatch(/feature=region: |\bregion \d/);
        expect(out).toMatch(/runbook: https:\/\/\S+\/alerts\/runbooks\/InfermonFeatureDrift\w*\.md/);
        // Ctrl-C: the summary, and no child left behind
        child.kill("SIGINT");
        expect(await exited).toBe(130);
        expect(out).toContain("interrupted: stopping every part");
        expect(out).toMatch(/alerts that fired in Prometheus: .*InfermonFeatureDrift/);
        expect(out).toMatch(/notifications from Alertmanager: [1-9]/);
        for (const pid of peers) expect(alive(pid), `child ${pid} still running`).toBe(false);
        expect(err).toBe("");
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
      }
    },
    180_000,
  );

  it("without Prometheus and Alertmanager: the install hint, and the demo carries on", () => {
    // a PATH with neither binary (node is started by its absolute path)
    const r = infermon(["demo", "--stack", "--duration", "4s", "--interval", "2s"], {
      env: { ...process.env, PATH: "/nonexistent" },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("--stack: Prometheus and Alertmanager not found on PATH");
    expect(r.stdout).toContain("apt-get install prometheus prometheus-alertmanager");
    expect(r.stdout).toContain("Carrying on without the stack.");
    expect(r.stdout).toContain("summary");
  }, 60_000);
});
