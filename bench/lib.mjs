// Small helpers shared by the benchmarks: medians, seeded data, child processes that report peak RSS.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function rng(seed = 42) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return { next, normal };
}

const RSS_HOOK = fileURLToPath(new URL("./peakRss.mjs", import.meta.url));

/** Run `node args…` and resolve with wall time (ms), peak RSS (bytes), exit code and output. */
export function runNode(args, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ["--import", RSS_HOOK, ...args], {
      stdio: ["ignore", opts.stdout ?? "ignore", "pipe"],
      cwd: opts.cwd,
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const m = stderr.match(/__PEAK_RSS__=(\d+)/);
      resolve({
        ms,
        peakRss: m ? Number(m[1]) : Number.NaN,
        code,
        stderr: stderr.replace(/__PEAK_RSS__=\d+\n?/, ""),
      });
    });
  });
}

export const mb = (bytes) => (bytes / 1048576).toFixed(1);
