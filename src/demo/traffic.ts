// Demo traffic: OIP v2 requests of `rows` credit rows each, sent through the tap at a fixed rate.
import { request } from "undici";
import { type CreditRow, creditRow, type Rng } from "./creditData.js";

export function oipRequest(rows: readonly CreditRow[]): string {
  const col = (name: keyof CreditRow) => rows.map((r) => (r[name] === "" ? null : r[name]));
  const numeric = (name: keyof CreditRow) => ({
    name,
    datatype: "FP64",
    shape: [rows.length],
    data: col(name),
  });
  return JSON.stringify({
    inputs: [
      numeric("income"),
      numeric("age"),
      numeric("score"),
      { name: "region", datatype: "BYTES", shape: [rows.length], data: col("region") },
    ],
  });
}

export interface TrafficStats {
  sent: number;
  failed: number;
}

/** Send one request per `1000/rate` ms until `stop()`; `drift()` says which rows to send. */
export function startTraffic(
  url: string,
  r: Rng,
  opts: { rate: number; rows: number; drift: () => boolean },
) {
  const stats: TrafficStats = { sent: 0, failed: 0 };
  const send = async () => {
    const rows = Array.from({ length: opts.rows }, () => creditRow(r, opts.drift()));
    try {
      const res = await request(`${url}/v2/models/credit/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: oipRequest(rows),
      });
      await res.body.dump();
      if (res.statusCode === 200) stats.sent++;
      else stats.failed++;
    } catch {
      stats.failed++;
    }
  };
  const timer = setInterval(() => void send(), Math.max(1, 1000 / opts.rate));
  return { stats, stop: () => clearInterval(timer) };
}
