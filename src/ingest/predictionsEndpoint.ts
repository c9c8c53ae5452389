// POST /v1/predictions: predictions another agent analysed and forwards (forward:), straight into
// this agent's label join — their drift was counted where they were analysed, never again here.
// NDJSON (what the forwarder sends), a JSON object or an array; every item gets an outcome.
import { isObject } from "../adapters/jsonBody.js";
import { type ForwardMetrics, RECEIVE_OUTCOMES, type ReceiveOutcome } from "../forward/forwardMetrics.js";
import type { LabelJoin } from "../labels/labelJoin.js";
import type { Slice } from "../monitor/loopSlicer.js";
import { MALFORMED, readItems } from "./jsonItems.js";

export async function receivePredictions(
  body: Buffer,
  slice: Slice,
  join: LabelJoin,
  models: ReadonlyMap<string, { version: string }>,
  metrics: ForwardMetrics | undefined,
  now: () => number,
  /** who sent them (the web-config sender, else "forward"): the join's source for fair eviction */
  source = "forward",
): Promise<Record<ReceiveOutcome, number>> {
  const counts: Record<ReceiveOutcome, number> = { recorded: 0, duplicate: 0, unknown_model: 0, invalid: 0 };
  await readItems(body, slice, (x) => {
    counts[receive(join, models, x, now, source)]++;
  });
  if (metrics) for (const o of RECEIVE_OUTCOMES) if (counts[o] > 0) metrics.received[o].inc(counts[o]);
  return counts;
}

function receive(
  join: LabelJoin,
  models: ReadonlyMap<string, { version: string }>,
  x: unknown,
  now: () => number,
  source: string,
): ReceiveOutcome {
  if (x === MALFORMED || !isObject(x) || typeof x.model !== "string") return "invalid";
  const model = models.get(x.model);
  if (!model) return "unknown_model";
  const id = typeof x.id === "string" || typeof x.id === "number" ? String(x.id) : undefined;
  if (id === undefined || x.prediction === undefined) return "invalid";
  const time = typeof x.time === "number" && Number.isFinite(x.time) ? x.time : now();
  const r = join.recordPrediction(
    {
      model: x.model,
      id,
      version: typeof x.version === "string" ? x.version : model.version,
      time,
      features: {},
      prediction: x.prediction,
      ...(typeof x.variant === "string" && { variant: x.variant }),
    },
    source,
  );
  if (r === "duplicate") return "duplicate";
  if (r === "unknown_model") return "unknown_model";
  if (r === "no_prediction") return "invalid";
  // a label that came with the event (POST /v1/events at the forwarding agent)
  if (x.label !== undefined && x.label !== null)
    join.monitor(x.model)?.label(id, x.label, time, now(), source);
  return "recorded";
}
