// Small helpers shared by the benchmarks: medians, seeded data, child processes that report peak RSS.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// the same seeded generator as the demo and the example data
export { rng } from "../dist/demo/creditData.js";

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

/** Poisson draw (Knuth for small means, a rounded normal for large ones: only volumes, not shapes). */
export function poisson(r, lambda) {
  if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * r.normal()));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r.next();
  } while (p > l);
  return k - 1;
}
