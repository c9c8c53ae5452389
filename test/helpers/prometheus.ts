// A real Prometheus server on loopback (Debian's `prometheus` package), scraping given targets every
// second and evaluating given rule files every second, with an instant-query helper.
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { freePort } from "./alertmanager.js";

export interface Target {
  address: string;
  labels: Record<string, string>;
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface RunningPrometheus {
  url: string;
  /** an instant query; the result vector (a scalar comes back as one sample without labels) */
  query(expr: string): Promise<Sample[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(
  targets: Target[],
  ruleFiles: string[] = [],
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), "infermon-prometheus-"));
  const rules = ruleFiles.map((f, i) => {
    const name = `${i}-${basename(f)}`;
    copyFileSync(f, join(dir, name));
    return name;
  });
  const config = {
    global: { scrape_interval: "1s", evaluation_interval: "1s" },
    rule_files: rules,
    scrape_configs: [
      {
        job_name: "infermon",
        static_configs: targets.map((t) => ({ targets: [t.address], labels: t.labels })),
      },
    ],
  };
  writeFileSync(join(dir, "prometheus.yml"), JSON.stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn(
    "prometheus",
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error("prometheus did not start");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    async query(expr) {
      const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await r.json()) as {
        status: string;
        error?: string;
        data: { resultType: string; result: unknown };
      };
      if (body.status !== "success") throw new Error(`${expr}: ${body.error}`);
      if (body.data.resultType === "scalar") {
        const [, v] = body.data.result as [number, string];
        return [{ metric: {}, value: Number(v) }];
      }
      return (body.data.result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => ({
        metric: s.metric,
        value: Number(s.value[1]),
      }));
    },
    async stop() {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
