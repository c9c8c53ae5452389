// /metrics rendered in slices (metricsText.ts): byte for byte what prom-client's own passes write,
// in both formats, with turns of the event loop between slices.
import fc from "fast-check";
import { Counter, Gauge, Histogram, type OpenMetricsContentType, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { BoundCounter, BoundGauge, BoundHistogram } from "../../src/export/boundMetrics.js";
import { metricsText, renderMetrics } from "../../src/export/metricsText.js";
import { LoopSlicer } from "../../src/monitor/loopSlicer.js";

/** The OpenMetrics rendering before slicing (views over the metrics in a throwaway registry). */
async function oldOpenMetrics(registry: Registry): Promise<string> {
  const om = new Registry<OpenMetricsContentType>();
  om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  for (const m of registry.getMetricsAsArray() as unknown as {
    name: string;
    help: string;
    type: string;
    get(): Promise<{ name: string }>;
  }[]) {
    const counter = m.type === "counter";
    om.registerMetric({
      name: m.name,
      help: m.help,
      type: m.type,
      async get() {
        const r = await m.get();
        return counter ? { ...r, name: r.name.replace(/_total$/, "") } : r;
      },
    } as never);
  }
  return om.metrics();
}

function registryWith(labelValues: string[], n: number): Registry {
  const registry = new Registry();
  const c = new Counter({
    name: "t_events_total",
    help: "events\nseen \\ here",
    labelNames: ["model", "feature"],
    registers: [registry],
  });
  const g = new Gauge({ name: "t_ratio", help: "a ratio", labelNames: ["model"], registers: [registry] });
  const h = new Histogram({
    name: "t_seconds",
    help: "latency",
    labelNames: ["model"],
    buckets: [0.1, 1],
    registers: [registry],
  });
  new Gauge({ name: "t_empty", help: "no samples", registers: [registry] });
  for (let i = 0; i < n; i++) c.inc({ model: `m${i % 7}`, feature: `f${i}` }, i);
  labelValues.forEach((v, i) => {
    g.set({ model: v }, i / 3);
    h.observe({ model: v }, i / 10);
  });
  g.set({ model: "nan" }, Number.NaN);
  g.set({ model: "inf" }, Number.NEGATIVE_INFINITY);
  return registry;
}

describe("metricsText", () => {
  it("writes what registry.metrics() writes, across chunk boundaries", async () => {
    for (const n of [0, 1, 255, 256, 257, 1000]) {
      const registry = registryWith(['a"b', "c\\d", "e\nf", "plain"], n);
      expect(await metricsText(registry)).toBe(await registry.metrics());
    }
  });

  it("writes the OpenMetrics text the unsliced pass wrote", async () => {
    for (const n of [0, 300]) {
      const registry = registryWith(["x", 'y"'], n);
      expect(await metricsText(registry, true)).toBe(await oldOpenMetrics(registry));
    }
  });

  it("agrees with prom-client for any label values and sample counts", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string(), { maxLength: 20 }), fc.nat(700), async (values, n) => {
        const registry = registryWith([...new Set(values)], n);
        expect(await metricsText(registry)).toBe(await registry.metrics());
        expect(await metricsText(registry, true)).toBe(await oldOpenMetrics(registry));
      }),
      { numRuns: 40 },
    );
  });

  it("gives the event loop a turn whenever a slice is used up", async () => {
    const registry = registryWith(["a"], 2000);
    let clock = 0;
    const slices: number[] = [];
    // every reading of the clock is 1 ms later: each chunk uses up its slice
    const slicer = new LoopSlicer({ sliceMs: 1, now: () => clock++, onWork: (ms) => slices.push(ms) });
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    let text = "";
    for await (const piece of renderMetrics(registry, false, slicer)) text += piece;
    ticking = false;
    expect(text).toBe(await registry.metrics());
    // 2000 counter samples in chunks of 256 alone are 8 slices
    expect(slices.length).toBeGreaterThanOrEqual(8);
    expect(turns).toBeGreaterThanOrEqual(8);
  });

  it("reads the agent's own metrics a chunk at a time, as their get() gives them", async () => {
    const registry = new Registry();
    const c = new BoundCounter("b_total", "c", ["model", "bin"], registry);
    const g = new BoundGauge({
      name: "b_ratio",
      help: "g",
      labelNames: ["model", "bin"],
      registers: [registry],
    });
    const h = new BoundHistogram("b_seconds", "h", ["model"], [0.1, 1], registry);
    new BoundGauge({ name: "b_depth", help: "no labels: one sample at 0", registers: [registry] });
    new BoundGauge({
      name: "b_none",
      help: "labels, none set",
      labelNames: ["model"],
      registers: [registry],
    });
    for (let i = 0; i < 1000; i++) {
      c.inc({ model: `m${i % 3}`, bin: `${i}` }, i);
      g.set({ model: `m${i % 3}`, bin: `${i}` }, i / 7);
      h.observe({ model: `m${i % 90}` }, i / 500);
    }
    const text = await metricsText(registry);
    expect(text).toBe(await registry.metrics());
    expect(text).toContain("\nb_depth 0\n");
    expect(await metricsText(registry, true)).toBe(await oldOpenMetrics(registry));
  });

  it("BoundGauge writes what prom-client's Gauge writes, whatever is set, reset or removed", async () => {
    type Op = { op: "set" | "inc" | "dec" | "remove" | "reset"; model: string; v: number };
    const ops = fc.array(
      fc.record({
        op: fc.constantFrom<Op["op"]>("set", "inc", "dec", "remove", "reset", "set", "set"),
        model: fc.constantFrom("a", "b", 'c"d', "e\\f"),
        v: fc.double({ noNaN: false }),
      }),
      { maxLength: 30 },
    );
    await fc.assert(
      fc.asyncProperty(ops, async (list) => {
        const ours = new Registry();
        const theirs = new Registry();
        const a = new BoundGauge({
          name: "g",
          help: "h",
          labelNames: ["model", "window"],
          registers: [ours],
        });
        const b = new Gauge({ name: "g", help: "h", labelNames: ["model", "window"], registers: [theirs] });
        for (const { op, model, v } of list) {
          const labels = { model, window: "5m" };
          for (const g of [a, b]) {
            if (op === "set") g.set(labels, v);
            else if (op === "inc") g.inc(labels, 1);
            else if (op === "dec") g.dec(labels, 1);
            else if (op === "remove") g.remove(labels);
            else g.reset();
          }
        }
        expect(await metricsText(ours)).toBe(await theirs.metrics());
      }),
      { numRuns: 200 },
    );
  });
});
