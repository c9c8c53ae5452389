// The sampler in force: OTEL_TRACES_SAMPLER (+ _ARG) when set, else parent-based trace-id ratio
// with tracing.sample_ratio. Wrapped so that a root span linked to a sampled producer (an analysis
// span) is kept: a link to a trace is only useful when both ends are recorded.
import {
  type Attributes,
  type Context,
  createContextKey,
  type Link,
  ROOT_CONTEXT,
  type SpanKind,
  TraceFlags,
  trace,
} from "@opentelemetry/api";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  SamplingDecision,
  type SamplingResult,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace";
import type { OtelEnv } from "./otelEnv.js";

/**
 * A root context whose span the tap has already decided to keep (its own coin flip at
 * `tracing.sample_ratio`, see rootRatio): the sampler keeps it without a second draw.
 */
export const KEPT_ROOT: Context = ROOT_CONTEXT.setValue(createContextKey("infermon.kept_root"), true);

/**
 * The ratio at which root spans are sampled when the sampler is parent-based with a trace-id
 * ratio root (the default) — the tap then decides for a request without a sampled parent before
 * calling the SDK, so a dropped request creates no span, ids or context at all. Undefined for other
 * samplers (OTEL_TRACES_SAMPLER), which the SDK asks as usual.
 */
export function rootRatio(env: OtelEnv["sampler"], sampleRatio: number): number | undefined {
  if (!env) return sampleRatio;
  return env.name === "parentbased_traceidratio" ? env.ratio : undefined;
}

export function samplerFor(env: OtelEnv["sampler"], sampleRatio: number): Sampler {
  if (!env)
    return new LinkedProducerSampler(
      new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) }),
    );
  const ratio = new TraceIdRatioBasedSampler(env.ratio);
  const inner: Record<NonNullable<OtelEnv["sampler"]>["name"], () => Sampler> = {
    always_on: () => new AlwaysOnSampler(),
    always_off: () => new AlwaysOffSampler(),
    traceidratio: () => ratio,
    parentbased_always_on: () => new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    parentbased_always_off: () => new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    parentbased_traceidratio: () => new ParentBasedSampler({ root: ratio }),
  };
  const s = inner[env.name]();
  return env.name === "always_off" ? s : new LinkedProducerSampler(s);
}

class LinkedProducerSampler implements Sampler {
  constructor(private readonly inner: Sampler) {}

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    if (context === KEPT_ROOT) return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    if (links.length > 0 && trace.getSpanContext(context) === undefined) {
      for (const l of links)
        if ((l.context.traceFlags & TraceFlags.SAMPLED) !== 0)
          return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    }
    return this.inner.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `LinkedProducerSampler{${this.inner.toString()}}`;
  }
}
