// /metrics rendered in slices (issue #16 §4): 100 models × 50 features are ~150k series, ~15 MB of
// text and ~0.5 s of formatting, which prom-client's `registry.metrics()` does in one go — every
// inference request in flight waited for it. Here each family's samples are formatted a chunk at a
// time by prom-client's own formatter (so the text is byte for byte what `metrics()` writes), with
// a turn of the event loop whenever a slice is used up, and handed out piece by piece so the
// response streams instead of holding the whole text.
import { type OpenMetricsContentType, Registry } from "prom-client";
import { type LoopSlicer, UNSLICED } from "../monitor/loopSlicer.js";

/** samples formatted per call: a few hundred µs of work */
const CHUNK = 256;

/** What prom-client's metrics give their formatter (its types for it are not exported). */
interface Family {
  name: string;
  help: string;
  type: string;
  values?: unknown[];
}

interface MetricSource {
  name: string;
  help: string;
  type: string;
  get(): Promise<Family> | Family;
  /** histograms: the samples the text formats want */
  getForPromString?(): Promise<Family>;
  /** the agent's own metrics (boundMetrics.ts): samples read lazily, a chunk at a time */
  valueChunks?(size: number): Iterable<unknown[]>;
}

/** The family in chunks of samples; at least one (an empty family still has HELP and TYPE). */
async function* chunksOf(m: MetricSource, openMetrics: boolean): AsyncGenerator<Family> {
  if (m.valueChunks) {
    const head = { name: m.name, help: m.help, type: m.type };
    let any = false;
    for (const values of m.valueChunks(CHUNK)) {
      any = true;
      yield { ...head, values };
    }
    if (!any) yield { ...head, values: [] };
    return;
  }
  // as prom-client's own passes: the text format takes histograms' samples unsplayed
  const data = await (!openMetrics && m.getForPromString ? m.getForPromString() : m.get());
  const values = data.values ?? [];
  for (let i = 0; i === 0 || i < values.length; i += CHUNK)
    yield { ...data, values: values.slice(i, i + CHUNK) };
}

/**
 * The exposition of `registry`, in pieces: Prometheus text (as `registry.metrics()`), or
 * OpenMetrics (counter families named without `_total`, exemplars, `# EOF`).
 */
export async function* renderMetrics(
  registry: Registry,
  openMetrics: boolean,
  slicer: LoopSlicer = UNSLICED,
): AsyncGenerator<string> {
  // the text format is the registry's own (its default labels apply); OpenMetrics a throwaway one,
  // since prom-client's OpenMetrics pass renames counters in place
  const formatter = (openMetrics ? openMetricsRegistry() : registry) as unknown as Formatter;
  const slice = slicer.start();
  try {
    let first = true;
    for (const m of registry.getMetricsAsArray() as unknown as MetricSource[]) {
      // an OpenMetrics counter family is named without `_total`; its samples add it back
      const rename = (n: string) => (openMetrics && m.type === "counter" ? n.replace(/_total$/, "") : n);
      let i = 0;
      for await (const chunk of chunksOf(m, openMetrics)) {
        const family = { ...chunk, name: rename(chunk.name) };
        const text = await formatter.getMetricsAsString({ get: () => family });
        // every call writes the family's HELP and TYPE lines: only the first chunk keeps them
        const piece = i === 0 ? text : withoutHeader(text);
        const sep = i === 0 ? (first ? "" : openMetrics ? "\n" : "\n\n") : "\n";
        if (piece !== "") yield sep + piece;
        first = false;
        i++;
        if (slice.due()) await slice.turn();
      }
    }
    yield openMetrics ? "\n# EOF\n" : "\n";
  } finally {
    slice.end();
  }
}

/** prom-client's per-family formatter (a Registry method its types leave out) */
interface Formatter {
  getMetricsAsString(metric: { get(): Family }): Promise<string>;
}

function openMetricsRegistry(): Registry<OpenMetricsContentType> {
  const om = new Registry<OpenMetricsContentType>();
  om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return om;
}

/** The whole exposition as one string (tests, small registries). */
export async function metricsText(registry: Registry, openMetrics = false): Promise<string> {
  let out = "";
  for await (const piece of renderMetrics(registry, openMetrics)) out += piece;
  return out;
}

/** `text` without its first two lines (# HELP, # TYPE; both escaped, so one line each). */
function withoutHeader(text: string): string {
  const a = text.indexOf("\n");
  const b = a < 0 ? -1 : text.indexOf("\n", a + 1);
  return b < 0 ? "" : text.slice(b + 1);
}
