// The senders a model's label join has seen (a sender's name, `tap`, `kafka`, …), each with its
// label outcome counters and its eviction counter. Names come from traffic: past MAX_SOURCES − 1
// distinct ones the rest share `other`, so the series stay bounded.
import type { CounterChild } from "../export/boundMetrics.js";
import { LABEL_OUTCOMES, type QualityMetrics } from "../export/qualityMetrics.js";
import { MAX_SOURCES } from "./joinRing.js";

export type OutcomeCounters = Record<(typeof LABEL_OUTCOMES)[number], CounterChild>;

export class JoinSources {
  private readonly names: string[] = [];
  private readonly indexOf = new Map<string, number>();
  /** per source index: its outcome counters */
  private readonly outcomes: OutcomeCounters[] = [];
  private readonly evictedBy: CounterChild[] = [];

  constructor(
    private readonly metrics: QualityMetrics,
    private readonly model: string,
  ) {}

  /** The index of source `name` in the join, its eviction counter created on first use. */
  index(name: string): number {
    let i = this.indexOf.get(name);
    if (i !== undefined) return i;
    const label = this.names.length < MAX_SOURCES - 1 ? name : "other";
    i = this.names.indexOf(label);
    if (i < 0) {
      i = this.names.length;
      this.names.push(label);
      this.evictedBy.push(this.metrics.evicted.labels({ model: this.model, source: label }));
    }
    if (this.indexOf.size < 1000) this.indexOf.set(name, i);
    return i;
  }

  /** The label name of source `i`. */
  name(i: number): string {
    return this.names[i] ?? "other";
  }

  /** A source's label counters (created when it first sends a label: prediction-only sources have none). */
  counts(source: number): OutcomeCounters {
    let c = this.outcomes[source];
    if (!c) {
      const l = { model: this.model, source: this.name(source) };
      c = Object.fromEntries(
        LABEL_OUTCOMES.map((o) => [o, this.metrics.labels.labels({ ...l, outcome: o })]),
      ) as OutcomeCounters;
      this.outcomes[source] = c;
    }
    return c;
  }

  evicted(source: number, n: number): void {
    this.evictedBy[source]?.inc(n);
  }
}
