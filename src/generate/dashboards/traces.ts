// The way from a latency panel to traces: a panel link that opens Tempo in Explore with the
// selected models' server spans, and a table of the slowest recent tap requests from Tempo
// (TraceQL on the attributes the agent's spans carry: infermon.model, infermon.request_id).
import { DashboardLinkBuilder, DashboardLinkType } from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as TablePanel } from "@grafana/grafana-foundation-sdk/table";
import { DataqueryBuilder as TempoQuery } from "@grafana/grafana-foundation-sdk/tempo";
import type { LinkBase } from "../links.js";
import { DS } from "./common.js";

/** TraceQL: the tap's server spans of the models matching `model` (a regex), slower than `minSeconds`. */
export function tapSpansQuery(model: string, minSeconds?: number): string {
  const slow = minSeconds === undefined ? "" : ` && duration > ${minSeconds * 1000}ms`;
  return `{ resource.service.name = "infermon" && kind = server && span.infermon.model =~ "${model}"${slow} }`;
}

// biome-ignore-start lint/suspicious/noTemplateCurlyInString: Grafana variable syntax, not a JS template
const MODEL_VAR = "${model:regex}";

/** A panel link to Explore with the Tempo datasource and the selected models' server spans. */
export function tracesLink(links: LinkBase) {
  const state = JSON.stringify({
    datasource: "TEMPO_UID",
    queries: [
      {
        refId: "A",
        datasource: { type: "tempo", uid: "TEMPO_UID" },
        queryType: "traceql",
        query: tapSpansQuery("MODEL_RE"),
      },
    ],
    range: { from: "FROM_MS", to: "TO_MS" },
  });
  // Grafana interpolates ${…} in link URLs before opening them, so those stay unescaped
  const url = `${links.grafanaUrl}/explore?left=${encodeURIComponent(state)
    .replaceAll("TEMPO_UID", "${tempo}")
    .replace("MODEL_RE", MODEL_VAR)
    .replace("FROM_MS", "${__from}")
    .replace("TO_MS", "${__to}")}`;
  return new DashboardLinkBuilder("Traces in Tempo").type(DashboardLinkType.Link).url(url).targetBlank(true);
}
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: Grafana variable syntax

/** The slowest recent requests through the tap, from Tempo; a trace id opens the trace. */
export function slowTraces(o: { span?: number; minSeconds?: number } = {}) {
  return new TablePanel()
    .title("Slow requests (Tempo)")
    .description(
      "The tap's server spans of the selected models slower than the threshold, newest first (sampled requests only: tracing.sample_ratio). A trace id opens the trace; its infermon.request_id finds the log lines in Loki.",
    )
    .unit("s")
    .datasource(DS.tempo)
    .span(o.span ?? 24)
    .height(8)
    .withTarget(
      new TempoQuery()
        .refId("A")
        .queryType("traceql")
        .query(tapSpansQuery(MODEL_VAR, o.minSeconds ?? 0.25))
        .limit(20)
        .datasource(DS.tempo),
    );
}
