// Open-loop load at a fixed rate: requests are sent on schedule whether or not earlier ones have
// answered (so a slow target cannot slow the sender down and hide its latency), and each latency is
// measured from the moment that request was handed to the socket pool. The schedule is kept with
// ~1 ms timers, sending every request that has come due at each tick, so the generator does not spin
// a CPU the targets need. undici keep-alive pool.
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
  let sent = 0;
  let lastTick = -1;
  const start = performance.now();
  const send = (i) => {
    const t0 = performance.now();
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
      })
      .catch(() => {
        errors++;
      })
      .finally(() => {
        lat[i] = performance.now() - t0;
        done++;
      });
  };
  while (sent < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor((now - start) / intervalMs) + 1);
    while (sent < due) send(sent++);
    const sec = Math.floor((now - start) / 1000);
    if (o.onTick && sec !== lastTick) {
      lastTick = sec;
      o.onTick(sec);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  while (done < total) await new Promise((r) => setTimeout(r, 5));
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();
  const sorted = Array.from(lat).sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return {
    ...(o.keep && { latencies: lat }),
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
