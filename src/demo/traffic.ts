// Demo traffic: OIP v2 requests of `rows` applicants each, sent through the tap at a fixed rate,
// each with its own `x-request-id`; the tap names row i of request `id` `id:i`, and the truth of each
// row goes to the label feeder under that id.
import { request } from "undici";
import type { Rng } from "./creditData.js";
import type { LabelFeeder } from "./labelFeeder.js";
import { type Applicant, applicant } from "./population.js";

export function oipRequest(rows: readonly Applicant[]): string {
  const col = (name: keyof Applicant) => rows.map((r) => r[name]);
  const numeric = (name: keyof Applicant) => ({
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
  /** requests answered 2xx */
  sent: number;
  /** requests answered otherwise, or not answered */
  failed: number;
}

export interface TrafficOptions {
  model: string;
  /** requests per second */
  rate: number;
  /** applicants per request (≥ 2, so that every row gets an `id:i` id) */
  rows: number;
  drifted: () => boolean;
  labels?: LabelFeeder;
  /** request ids are `<prefix>-<n>` */
  idPrefix?: string;
}

/** Send one request per `1000/rate` ms until `stop()`. */
export function startTraffic(tapUrl: string, r: Rng, opts: TrafficOptions) {
  const stats: TrafficStats = { sent: 0, failed: 0 };
  const pending = new Set<Promise<void>>();
  let n = 0;
  const prefix = opts.idPrefix ?? `demo-${Date.now().toString(36)}`;
  const send = async () => {
    const drifted = opts.drifted();
    const batch = Array.from({ length: Math.max(2, opts.rows) }, () => applicant(r, drifted));
    const id = `${prefix}-${n++}`;
    try {
      const res = await request(`${tapUrl}/v2/models/${opts.model}/infer`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": id },
        body: oipRequest(batch.map((a) => a.features)),
      });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) {
        stats.sent++;
        for (const [i, a] of batch.entries()) opts.labels?.add(opts.model, `${id}:${i}`, a.truth);
      } else stats.failed++;
    } catch {
      stats.failed++;
    }
  };
  const timer = setInterval(
    () => {
      const p = send();
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
    Math.max(1, 1000 / opts.rate),
  );
  return {
    stats,
    /** stop sending and wait for the requests in flight */
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
    },
  };
}
