// Fixed-rate load with latency measured from each request's *scheduled* send time, so a stalled
// target cannot hide its queueing (no coordinated omission). undici keep-alive pool.
import { Pool } from "undici";

/**
 * @param {{url: string, path: string, body: Buffer, rate: number, seconds: number, connections?: number, onTick?: (s: number) => void}} o
 */
export async function fixedRate(o) {
  const pool = new Pool(o.url, { connections: o.connections ?? 64, pipelining: 1 });
  const intervalMs = 1000 / o.rate;
  const total = Math.round(o.rate * o.seconds);
  const lat = new Float64Array(total);
  let errors = 0;
  let done = 0;
  const start = performance.now();
  const pending = [];
  let lastTick = 0;
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    // sleep until ~1 ms before the due time, then yield until it (never send early)
    const wait = due - performance.now();
    if (wait > 1.5) await new Promise((r) => setTimeout(r, wait - 1));
    while (performance.now() < due) await new Promise((r) => setImmediate(r));
    const sec = Math.floor((due - start) / 1000);
    if (o.onTick && sec !== lastTick) {
      lastTick = sec;
      o.onTick(sec);
    }
    pending.push(
      pool
        .request({
          path: o.path,
          method: "POST",
          body: o.body,
          headers: { "content-type": "application/json" },
        })
        .then(async (r) => {
          await r.body.dump();
          if (r.statusCode !== 200) errors++;
          lat[i] = performance.now() - due;
        })
        .catch(() => {
          errors++;
          lat[i] = performance.now() - due;
        })
        .finally(() => {
          done++;
        }),
    );
    if (pending.length > 4096) pending.splice(0, pending.length - 4096);
  }
  await Promise.all(pending);
  while (done < total) await new Promise((r) => setTimeout(r, 10));
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();
  const sorted = Array.from(lat).sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return {
    requests: total,
    errors,
    achievedRate: total / elapsed,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    p999: q(0.999),
    max: sorted[sorted.length - 1],
  };
}
