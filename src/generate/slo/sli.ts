// The three SLIs, as bad-event and all-event counters of the agent's metrics. Every SLO rule
// (per-window error ratios, the period's ratio, the traffic guard) is built from these two.
import type { ModelConfig, SloTarget } from "../../config/model.js";
import { type increase, M, num, type rate, sel, sumBy } from "../promql.js";

export type SloKind = "availability" | "latency" | "correctness";
export const SLO_KINDS: readonly SloKind[] = ["availability", "latency", "correctness"];

export interface Sli {
  kind: SloKind;
  model: ModelConfig;
  target: SloTarget;
  /** `sum by (model) (f(bad events))` for f = rate or increase over `window` */
  bad(f: typeof rate, window: string): string;
  /** `sum by (model) (f(all events))` */
  all(f: typeof rate, window: string): string;
  /** what one event is, for descriptions */
  noun: string;
  /** what makes an event bad, for descriptions and runbooks */
  badness: string;
}

const by = (inner: string) => sumBy(["model"], inner);

export function slis(model: ModelConfig): Sli[] {
  const m = { model: model.name };
  const out: Sli[] = [];
  const { availability, latency, correctness } = model.slo;
  if (availability) {
    out.push({
      kind: "availability",
      model,
      target: availability,
      bad: (f, w) => by(f(sel(M.requests, { ...m, code: { re: "5.." } }), w)),
      all: (f, w) => by(f(sel(M.requests, m), w)),
      noun: "requests",
      badness: "answered with a 5xx status",
    });
  }
  if (latency) {
    const le = num(latency.threshold);
    // Prometheus 3 normalises `le` on scrape ("1" → "1.0"); match both spellings of whole numbers
    const leMatcher = Number.isInteger(latency.threshold) ? { re: `${le}(\\.0)?` } : le;
    out.push({
      kind: "latency",
      model,
      target: latency,
      // bad = all − fast: the `le` bucket equal to the threshold counts the fast ones
      bad: (f, w) =>
        `(${by(f(sel(`${M.duration}_count`, m), w))} - ${by(f(sel(`${M.duration}_bucket`, { ...m, le: leMatcher }), w))})`,
      all: (f, w) => by(f(sel(`${M.duration}_count`, m), w)),
      noun: "requests",
      badness: `slower than ${le}s`,
    });
  }
  if (correctness) {
    out.push({
      kind: "correctness",
      model,
      target: correctness,
      bad: (f, w) => by(f(sel(M.labeled, { ...m, result: "incorrect" }), w)),
      all: (f, w) => by(f(sel(M.labeled, m), w)),
      noun: "labelled predictions",
      badness: "judged incorrect once the label arrived",
    });
  }
  return out;
}

/** The error ratio over a window: bad / all, with no bad series yet counting as zero. */
export function errorRatio(sli: Sli, f: typeof rate | typeof increase, window: string): string {
  const all = sli.all(f, window);
  if (sli.kind === "latency") return `${sli.bad(f, window)}\n/\n${all}`;
  return `(\n  ${sli.bad(f, window)}\n  or 0 * ${all}\n)\n/\n${all}`;
}
