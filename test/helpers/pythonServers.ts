// Real Python model servers for the conformance suite: MLServer (+ mlserver-sklearn) and KServe's
// model server, from the cached venvs .ci/install-model-servers.sh makes, each serving a
// scikit-learn model trained at test time on a data set scikit-learn ships. Free loopback ports.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort } from "./peerProcess.js";

const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "infermon");
export const VENVS = {
  mlserver: join(cache, "venv-model-servers"),
  kserve: join(cache, "venv-kserve"),
} as const;
const scripts = fileURLToPath(new URL("../conformance/servers/", import.meta.url));

/** True when both venvs exist; false (skip) locally; throws when CI is set and one is missing. */
export function requireModelServers(): boolean {
  const missing = Object.values(VENVS).filter((v) => !existsSync(join(v, "bin", "python")));
  if (missing.length === 0) return true;
  if (process.env.CI)
    throw new Error(
      `model servers are required in CI: ${missing.join(", ")} missing (bash .ci/install-model-servers.sh)`,
    );
  return false;
}

export interface Trained {
  dir: string;
  features: string[];
  rows: number[][];
  target: number[];
  /** the model's own predictions on `rows` (class or value) */
  predict: number[];
  /** class probabilities (classifiers) */
  predict_proba: number[][] | null;
}

/**
 * Train on `load_<dataset>()` with the MLServer venv's scikit-learn; model.joblib in a temp dir.
 * `c`: the classifiers' inverse regularisation strength (default 1; another value, another version).
 */
export async function train(dataset: "breast_cancer" | "iris" | "diabetes", c?: number): Promise<Trained> {
  const dir = mkdtempSync(join(tmpdir(), `infermon-${dataset}-`));
  await promisify(execFile)(
    join(VENVS.mlserver, "bin", "python"),
    [join(scripts, "train.py"), dataset, dir, ...(c === undefined ? [] : [String(c)])],
    {
      timeout: 300_000,
    },
  );
  return { dir, ...JSON.parse(readFileSync(join(dir, "data.json"), "utf8")) };
}

export interface PyServer {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

async function waitReady(
  url: string,
  child: ChildProcess,
  out: () => string,
  timeoutMs = 240_000,
): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}:\n${out().slice(-3000)}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - start > timeoutMs)
      throw new Error(`server not ready in ${timeoutMs} ms:\n${out().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function launch(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let out = "";
  const keep = (c: Buffer) => {
    out = (out + c.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    });
  return { child, output: () => out, stop };
}

/** MLServer serving each model's `dir/model.joblib` with mlserver-sklearn (in-process worker). */
export async function startMLServer(models: { name: string; dir: string }[]): Promise<PyServer> {
  const root = mkdtempSync(join(tmpdir(), "infermon-mlserver-"));
  const [http, grpc, metrics] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(
    join(root, "settings.json"),
    JSON.stringify({
      http_port: http,
      grpc_port: grpc,
      metrics_port: metrics,
      parallel_workers: 0,
      host: "127.0.0.1",
    }),
  );
  for (const m of models) {
    mkdirSync(join(root, m.name));
    writeFileSync(
      join(root, m.name, "model-settings.json"),
      JSON.stringify({
        name: m.name,
        implementation: "mlserver_sklearn.SKLearnModel",
        parameters: { uri: join(m.dir, "model.joblib") },
      }),
    );
  }
  const p = launch(join(VENVS.mlserver, "bin", "mlserver"), ["start", "."], root);
  const url = `http://127.0.0.1:${http}`;
  for (const m of models) await waitReady(`${url}/v2/models/${m.name}/ready`, p.child, p.output);
  return { url, ...p };
}

/** KServe's model server (v1 and v2 on one port) with sklearn models, each `predict` or `predict_proba`. */
export async function startKServe(
  models: { name: string; dir: string; method: "predict" | "predict_proba" }[],
): Promise<PyServer> {
  const http = await freePort();
  const specs = models.map((m) => `${m.name}:${m.dir}:${m.method}`);
  const p = launch(
    join(VENVS.kserve, "bin", "python"),
    [join(scripts, "kserve_sklearn.py"), String(http), ...specs],
    tmpdir(),
  );
  const url = `http://127.0.0.1:${http}`;
  for (const m of models) await waitReady(`${url}/v2/models/${m.name}/ready`, p.child, p.output);
  return { url, ...p };
}
