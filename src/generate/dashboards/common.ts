// Shared dashboard pieces (grafana-foundation-sdk examples/typescript style): datasource and
// model variables, dashboard and runbook links, and one small function per panel kind. Every
// panel gets a unit and a description; every query uses $__rate_interval where it rates.

import { PanelBuilder as BarGaugePanel } from "@grafana/grafana-foundation-sdk/bargauge";
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import { StackingConfigBuilder, StackingMode } from "@grafana/grafana-foundation-sdk/common";
import {
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  type Panel,
  QueryVariableBuilder,
  type VariableModel,
  VariableRefresh,
  VariableSort,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as HeatmapPanel } from "@grafana/grafana-foundation-sdk/heatmap";
import { PanelBuilder as LogsPanel } from "@grafana/grafana-foundation-sdk/logs";
import { DataqueryBuilder as LokiQuery } from "@grafana/grafana-foundation-sdk/loki";
import { DataqueryBuilder as PromQuery, PromQueryFormat } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanel } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TablePanel } from "@grafana/grafana-foundation-sdk/table";
import { PanelBuilder as TimeseriesPanel } from "@grafana/grafana-foundation-sdk/timeseries";
import { AGENT_JOB, DASHBOARDS, type DashboardKey } from "../conventions.js";
import type { LinkBase } from "../links.js";
import { type Matchers, sel } from "../promql.js";

// biome-ignore-start lint/suspicious/noTemplateCurlyInString: Grafana variable syntax, not a JS template
export const DS = {
  prometheus: { type: "prometheus", uid: "${datasource}" },
  loki: { type: "loki", uid: "${loki}" },
  tempo: { type: "tempo", uid: "${tempo}" },
} as const;
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: Grafana variable syntax

export const RATE = "$__rate_interval";

/** Matchers for the dashboard variables; `version: false` for metrics without model_version. */
export function vars(opts: { version?: boolean; extra?: Matchers } = {}): Matchers {
  return {
    namespace: { re: "$namespace" },
    model: { re: "$model" },
    ...(opts.version !== false && { model_version: { re: "$model_version" } }),
    ...opts.extra,
  };
}

export const q = (metric: string, opts?: Parameters<typeof vars>[0]): string => sel(metric, vars(opts));

export interface Target {
  expr: string;
  legend: string;
  instant?: boolean;
  exemplar?: boolean;
  heatmap?: boolean;
  /** a bound of a value's ± 2 standard errors band: drawn dashed, thin, unfilled */
  band?: boolean;
}

/** How many standard errors a band spans either side (≈ 95 % for a normal sampling distribution). */
export const BAND_SE = 2;

/**
 * A value with the band of ± BAND_SE standard errors around it: the value's query and two bounds
 * (`<metric>_stderr` has the value's labels, so the arithmetic matches series one to one).
 */
export function withBand(value: string, stderr: string, legend: string): Target[] {
  return [
    { expr: value, legend },
    { expr: `${value} - ${BAND_SE} * ${stderr}`, legend: `${legend} −${BAND_SE}σ`, band: true },
    { expr: `${value} + ${BAND_SE} * ${stderr}`, legend: `${legend} +${BAND_SE}σ`, band: true },
  ];
}

/** A, B, … Z, then AA, AB, …: the query's refId (a panel with bands has many queries). */
function refId(i: number): string {
  return i < 26
    ? String.fromCharCode(65 + i)
    : `${refId(Math.floor(i / 26) - 1)}${String.fromCharCode(65 + (i % 26))}`;
}

/**
 * Instant queries come back as a table only for table panels (one row per series). Stat and bar
 * gauge panels reduce each frame with "Calculate": a table frame would collapse every row into one
 * value, so there each series stays its own frame (one value per series, legend applied).
 */
function promTarget(t: Target, i: number, tablePanel: boolean): PromQuery {
  const b = new PromQuery().expr(t.expr).legendFormat(t.legend).refId(refId(i)).datasource(DS.prometheus);
  if (t.instant) b.instant();
  if (t.instant && tablePanel) b.format(PromQueryFormat.Table);
  if (t.heatmap) b.format(PromQueryFormat.Heatmap);
  if (t.exemplar) b.exemplar(true);
  return b;
}

export interface PanelOpts {
  title: string;
  description: string;
  unit: string;
  targets: Target[];
  span?: number;
  height?: number;
  /** alert whose runbook the panel links to */
  runbook?: string;
  stack?: boolean;
  min?: number;
  max?: number;
  /** extra panel links (e.g. Traces in Tempo) */
  panelLinks?: DashboardLinkBuilder[];
}

type AnyPanel = TimeseriesPanel | StatPanel | BarGaugePanel | HeatmapPanel | TablePanel | LogsPanel;

function decorate<P extends AnyPanel>(p: P, o: PanelOpts, links: LinkBase, tablePanel = false): P {
  p.title(o.title)
    .description(o.description)
    .unit(o.unit)
    .datasource(DS.prometheus)
    .span(o.span ?? 12)
    .height(o.height ?? 8);
  if (o.min !== undefined) p.min(o.min);
  if (o.max !== undefined) p.max(o.max);
  const panelLinks = [...(o.panelLinks ?? [])];
  if (o.runbook && (links.alerts === undefined || links.alerts.has(o.runbook))) {
    panelLinks.unshift(
      new DashboardLinkBuilder("Runbook")
        .type(DashboardLinkType.Link)
        .url(`${links.runbookBaseUrl}/${o.runbook}.md`)
        .targetBlank(true),
    );
  }
  if (panelLinks.length > 0) p.links(panelLinks);
  o.targets.forEach((t, i) => {
    p.withTarget(promTarget(t, i, tablePanel));
  });
  return p;
}

export const timeseries = (o: PanelOpts, links: LinkBase) => {
  const p = decorate(new TimeseriesPanel(), o, links).fillOpacity(o.stack ? 60 : 10);
  if (o.stack) p.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
  o.targets.forEach((t, i) => {
    if (!t.band) return;
    p.overrideByQuery(refId(i), [
      { id: "custom.lineStyle", value: { fill: "dash", dash: [4, 4] } },
      { id: "custom.lineWidth", value: 1 },
      { id: "custom.fillOpacity", value: 0 },
    ]);
  });
  return p;
};
export const stat = (o: PanelOpts, links: LinkBase) => decorate(new StatPanel(), o, links);
export const barGauge = (o: PanelOpts, links: LinkBase) => decorate(new BarGaugePanel(), o, links);
export const heatmap = (o: PanelOpts, links: LinkBase) =>
  decorate(new HeatmapPanel(), o, links).calculate(false);
export const table = (o: PanelOpts, links: LinkBase) => decorate(new TablePanel(), o, links, true);

/** Loki logs of the agent for the selected model. */
export function logs(o: {
  title: string;
  description: string;
  expr: string;
  span?: number;
  height?: number;
}) {
  return new LogsPanel()
    .title(o.title)
    .description(o.description)
    .unit("short")
    .datasource(DS.loki)
    .span(o.span ?? 24)
    .height(o.height ?? 10)
    .showTime(true)
    .enableLogDetails(true)
    .withTarget(new LokiQuery().expr(o.expr).refId("A").datasource(DS.loki));
}

function datasourceVar(name: string, type: string, label: string) {
  return new DatasourceVariableBuilder(name).label(label).type(type);
}

/** A label_values variable; multi-value with All (`.*`) unless `single` (one exact value). */
function queryVar(name: string, label: string, query: string, opts: { single?: boolean } = {}) {
  const v = new QueryVariableBuilder(name)
    .label(label)
    .query(query)
    .datasource(DS.prometheus)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
  return opts.single ? v.multi(false).includeAll(false) : v.multi(true).includeAll(true).allValue(".*");
}

/** The Tempo datasource variable: only on dashboards whose panels read traces (an unused one only asks for a datasource). */
export const tempoVariable = () => datasourceVar("tempo", "tempo", "Tempo");

/** Exists at 0 for every configured model and source from the start (initialSeries.ts). */
export const MODEL_SERIES = "infermon_events_total";
/** Carry model_version for every model from the start: the tap's requests, the prediction histograms. */
export const VERSION_SERIES =
  "infermon_inference_requests_total|infermon_prediction_score_count|infermon_prediction_value_count";

/** Datasource variables (Prometheus, Loki) and namespace → model → model_version. */
export function standardVariables(extra: cog.Builder<VariableModel>[] = []) {
  return [
    datasourceVar("datasource", "prometheus", "Prometheus"),
    datasourceVar("loki", "loki", "Loki"),
    queryVar("namespace", "Namespace", `label_values(up{job="${AGENT_JOB}"}, namespace)`),
    // from series every configured model has from the start, whichever way its traffic comes (tap,
    // CloudEvents, /v1/events): requests exist only where a tap sees the model
    queryVar("model", "Model", `label_values(${MODEL_SERIES}{namespace=~"$namespace"}, model)`),
    queryVar(
      "model_version",
      "Model version",
      `label_values({__name__=~"${VERSION_SERIES}",namespace=~"$namespace",model=~"$model"}, model_version)`,
    ),
    ...extra,
  ];
}

export { queryVar };

/** Links to every other infermon dashboard (keeping time and variables) and to the runbooks. */
export function dashboardLinks(self: DashboardKey, links: LinkBase) {
  const others = (Object.keys(DASHBOARDS) as DashboardKey[])
    .filter((k) => k !== self)
    .map((k) =>
      new DashboardLinkBuilder(DASHBOARDS[k].title)
        .type(DashboardLinkType.Link)
        .url(`${links.grafanaUrl}/d/${DASHBOARDS[k].uid}/${DASHBOARDS[k].slug}`)
        .includeVars(true)
        .keepTime(true)
        .icon("dashboard"),
    );
  return [
    ...others,
    new DashboardLinkBuilder("Runbooks")
      .type(DashboardLinkType.Link)
      .url(links.runbookBaseUrl)
      .targetBlank(true)
      .icon("doc"),
  ];
}

export interface DashboardParts {
  key: DashboardKey;
  description: string;
  panels: cog.Builder<Panel>[];
  extraVariables?: cog.Builder<VariableModel>[];
}

/** A dashboard with the conventions: stable uid, tags, variables, links, generated notice. */
export function dashboard(parts: DashboardParts, links: LinkBase, header: string): Record<string, unknown> {
  const d = DASHBOARDS[parts.key];
  const b = new DashboardBuilder(`infermon / ${d.title}`)
    .uid(d.uid)
    .description(`${parts.description} ${header}`)
    .tags(["infermon", "generated"])
    .time({ from: "now-6h", to: "now" })
    .refresh("1m")
    .timezone("browser")
    .readonly()
    .variables(standardVariables(parts.extraVariables))
    .links(dashboardLinks(parts.key, links));
  for (const p of parts.panels) b.withPanel(p);
  const built = b.build();
  // stable panel ids, in layout order
  (built.panels ?? []).forEach((p, i) => {
    p.id = i + 1;
  });
  return built as unknown as Record<string, unknown>;
}
