// Counters and histograms for per-event paths. prom-client's `labels(...).inc()` hashes and
// validates the label object on every call (~1 µs); these families bind a label set once to a
// child holding plain numbers, so counting is an addition. They register on a prom-client Registry
// as ordinary metrics (the Registry only calls `get()`), so the exposition is the same.
// Measured (bench/proxy/analysisCost.mjs): analysing one 14-row OIP exchange took 39 µs with
// prom-client children, 10 µs with these.
import type { Registry } from "prom-client";

type Labels = Record<string, string>;

interface MetricValue {
  value: number;
  labels: Labels;
  metricName?: string;
  /** OpenMetrics exemplar (prom-client prints it only in an OpenMetrics registry) */
  exemplar?: Exemplar;
}

/** prom-client's exemplar shape: timestamp in seconds */
interface Exemplar {
  labelSet: { trace_id: string };
  value: number;
  timestamp: number;
}

export interface CounterChild {
  inc(n?: number): void;
}

export interface HistogramChild {
  /** `traceId`: the sampled request's trace, kept as its bucket's exemplar (the latest wins) */
  observe(v: number, traceId?: string): void;
}

class Child implements CounterChild {
  value = 0;
  constructor(readonly labels: Labels) {}
  inc(n = 1): void {
    this.value += n;
  }
}

export class BoundCounter<L extends string> {
  readonly type = "counter";
  readonly aggregator = "sum";
  private readonly children = new Map<string, Child>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The child for `labels`, created on first use; keep it and call `inc` on it. */
  labels(labels: Record<L, string>): CounterChild {
    const key = this.labelNames.map((n) => labels[n]).join("\u0000");
    let c = this.children.get(key);
    if (!c) {
      c = new Child({ ...labels });
      this.children.set(key, c);
    }
    return c;
  }

  inc(labels: Record<L, string>, n = 1): void {
    this.labels(labels).inc(n);
  }

  get(): Family {
    return family(this, samplesOf(this.children.values(), valueSample));
  }

  /** The samples a chunk at a time, read lazily (metricsText.ts renders in slices). */
  valueChunks(size: number): Generator<MetricValue[]> {
    return chunksOf(this.children.values(), size, valueSample);
  }
}

class HChild implements HistogramChild {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  /** per bucket (the last one is +Inf), created with the first exemplar */
  exemplars: (Exemplar | undefined)[] | undefined;
  constructor(
    readonly labels: Labels,
    private readonly bounds: Float64Array,
  ) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(v: number, traceId?: string): void {
    if (Number.isNaN(v)) return;
    // first bucket whose upper bound is ≥ v (le semantics); beyond the last only +Inf counts it
    const b = this.bounds;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((b[mid] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo < b.length) this.counts[lo] = (this.counts[lo] as number) + 1;
    this.sum += v;
    this.count++;
    if (traceId !== undefined) {
      this.exemplars ??= new Array(b.length + 1);
      this.exemplars[lo] = { labelSet: { trace_id: traceId }, value: v, timestamp: Date.now() / 1000 };
    }
  }
}

export class BoundHistogram<L extends string> {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly bounds: Float64Array;
  private readonly children = new Map<string, HChild>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    buckets: readonly number[],
    registry: Registry,
  ) {
    this.bounds = Float64Array.from([...new Set(buckets)].sort((a, b) => a - b));
    registry.registerMetric(this as never);
  }

  labels(labels: Record<L, string>): HistogramChild {
    const key = this.labelNames.map((n) => labels[n]).join("\u0000");
    let c = this.children.get(key);
    if (!c) {
      c = new HChild({ ...labels }, this.bounds);
      this.children.set(key, c);
    }
    return c;
  }

  observe(labels: Record<L, string>, v: number): void {
    this.labels(labels).observe(v);
  }

  get(): Family {
    return family(this, samplesOf(this.children.values(), this.samplesOf));
  }

  /** The samples a few children at a time, read lazily (metricsText.ts renders in slices). */
  valueChunks(size: number): Generator<MetricValue[]> {
    return chunksOf(this.children.values(), size, this.samplesOf);
  }

  /** A child's buckets, sum and count, appended to `values`. */
  private readonly samplesOf = (c: HChild, values: MetricValue[]): void => {
    let acc = 0;
    const ex = c.exemplars;
    this.bounds.forEach((le, i) => {
      acc += c.counts[i] as number;
      const v: MetricValue = {
        value: acc,
        labels: { ...c.labels, le: String(le) },
        metricName: `${this.name}_bucket`,
      };
      const e = ex?.[i];
      if (e) v.exemplar = e;
      values.push(v);
    });
    const inf: MetricValue = {
      value: c.count,
      labels: { ...c.labels, le: "+Inf" },
      metricName: `${this.name}_bucket`,
    };
    const e = ex?.[this.bounds.length];
    if (e) inf.exemplar = e;
    values.push(inf);
    values.push({ value: c.sum, labels: c.labels, metricName: `${this.name}_sum` });
    values.push({ value: c.count, labels: c.labels, metricName: `${this.name}_count` });
  };
}

export interface GaugeChild {
  set(v: number): void;
  inc(n?: number): void;
  dec(n?: number): void;
}

class GChild extends Child implements GaugeChild {
  set(v: number): void {
    this.value = v;
  }
  dec(n = 1): void {
    this.value -= n;
  }
}

/**
 * A gauge with prom-client's Gauge API (the part the agent uses) over a Map of children. Besides
 * the usual `get()`, its samples can be read a chunk at a time (`valueChunks`): prom-client's
 * `get()` builds all of them at once with `Object.values` of its hash map, 35+ ms in one go for
 * the 50,000 reference ratios of 100 models × 50 features (metricsText.ts renders in slices).
 */
export class BoundGauge<L extends string = string> {
  readonly type = "gauge";
  readonly aggregator = "sum";
  readonly name: string;
  readonly help: string;
  /** plain strings: a gauge of fewer labels stands in where more are allowed, as prom-client's does */
  private readonly labelNames: readonly string[];
  private readonly children = new Map<string, GChild>();

  constructor(o: { name: string; help: string; labelNames?: readonly L[]; registers?: Registry[] }) {
    this.name = o.name;
    this.help = o.help;
    this.labelNames = o.labelNames ?? [];
    for (const r of o.registers ?? []) r.registerMetric(this as never);
    this.reset();
  }

  private key(labels: Partial<Record<L, string | number>>): string {
    const l = labels as Record<string, string | number | undefined>;
    return this.labelNames.map((n) => l[n]).join("\u0000");
  }

  labels(labels: Partial<Record<L, string | number>>): GaugeChild {
    const key = this.key(labels);
    let c = this.children.get(key);
    if (!c) {
      const copy: Labels = {};
      for (const [k, v] of Object.entries(labels)) if (v !== undefined) copy[k] = String(v);
      c = new GChild(copy);
      this.children.set(key, c);
    }
    return c;
  }

  set(labels: Partial<Record<L, string | number>>, value: number): void;
  set(value: number): void;
  set(a: Partial<Record<L, string | number>> | number, b?: number): void {
    if (typeof a === "number") this.labels({}).set(a);
    else this.labels(a).set(b as number);
  }

  inc(labels: Partial<Record<L, string | number>>, n?: number): void {
    this.labels(labels).inc(n);
  }

  dec(labels: Partial<Record<L, string | number>>, n?: number): void {
    this.labels(labels).dec(n);
  }

  remove(labels: Partial<Record<L, string | number>>): void {
    this.children.delete(this.key(labels));
  }

  /** No samples; a gauge without labels has its one, at 0 (as prom-client's). */
  reset(): void {
    this.children.clear();
    if (this.labelNames.length === 0) this.labels({});
  }

  get(): Family {
    return family(this, samplesOf(this.children.values(), valueSample));
  }

  valueChunks(size: number): Generator<MetricValue[]> {
    return chunksOf(this.children.values(), size, valueSample);
  }
}

type Family = { name: string; help: string; type: string; aggregator: string; values: MetricValue[] };

function family(m: Omit<Family, "values">, values: MetricValue[]): Family {
  return { name: m.name, help: m.help, type: m.type, aggregator: m.aggregator, values };
}

/** A counter's or a gauge's one sample. */
function valueSample(c: Child, out: MetricValue[]): void {
  out.push({ value: c.value, labels: c.labels });
}

/** Every child's samples. */
function samplesOf<C>(children: Iterable<C>, add: (c: C, out: MetricValue[]) => void): MetricValue[] {
  const out: MetricValue[] = [];
  for (const c of children) add(c, out);
  return out;
}

/** At least `size` samples at a time (a child may give several), read from the children lazily. */
function* chunksOf<C>(
  children: Iterable<C>,
  size: number,
  add: (c: C, out: MetricValue[]) => void,
): Generator<MetricValue[]> {
  let chunk: MetricValue[] = [];
  for (const c of children) {
    add(c, chunk);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
