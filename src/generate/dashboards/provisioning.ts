// Grafana file provisioning beside the dashboards (docs/grafana.md): a dashboard provider that loads
// the JSON files from $INFERMON_DASHBOARDS_DIR into an "infermon" folder, and the three datasources
// the dashboards' variables ask for (Prometheus, Loki, Tempo), their URLs from the environment.
// Grafana expands $VAR in provisioning files; the dashboards pick their datasources by variable, so
// no uid in the dashboards has to match.
import { stringify } from "yaml";
import { PATHS } from "../conventions.js";

export const PROVISIONING = {
  dashboards: `${PATHS.dashboards}/provisioning/dashboards/infermon.yaml`,
  datasources: `${PATHS.dashboards}/provisioning/datasources/infermon.yaml`,
  /** environment variables Grafana expands in them */
  env: {
    dashboardsDir: "INFERMON_DASHBOARDS_DIR",
    prometheus: "PROMETHEUS_URL",
    loki: "LOKI_URL",
    tempo: "TEMPO_URL",
  },
} as const;

const yaml = (header: string[], value: unknown) =>
  `${header.map((l) => `# ${l}`.trimEnd()).join("\n")}\n${stringify(value, { lineWidth: 0, indent: 2 })}`;

export function renderProvisioning(header: string): Map<string, string> {
  const e = PROVISIONING.env;
  return new Map([
    [
      PROVISIONING.dashboards,
      yaml(
        [
          header,
          "Grafana dashboard provider (file provisioning): copy into Grafana's provisioning/dashboards/",
          `and set ${e.dashboardsDir} to the directory holding the dashboards' JSON files (docs/grafana.md).`,
        ],
        {
          apiVersion: 1,
          providers: [
            {
              name: "infermon",
              orgId: 1,
              folder: "infermon",
              folderUid: "infermon",
              type: "file",
              disableDeletion: false,
              allowUiUpdates: false,
              updateIntervalSeconds: 30,
              options: { path: `$${e.dashboardsDir}`, foldersFromFilesStructure: false },
            },
          ],
        },
      ),
    ],
    [
      PROVISIONING.datasources,
      yaml(
        [
          header,
          "Grafana datasources (file provisioning): copy into Grafana's provisioning/datasources/ and set",
          `${e.prometheus}, ${e.loki} and ${e.tempo}; delete the entry of a backend you do not run.`,
          "The dashboards choose datasources by variable: these names and uids are only defaults.",
        ],
        {
          apiVersion: 1,
          datasources: [
            {
              name: "Prometheus",
              uid: "prometheus",
              type: "prometheus",
              access: "proxy",
              url: `$${e.prometheus}`,
              isDefault: true,
              // exemplars on the latency panel open their trace in Tempo (docs/tracing.md)
              jsonData: { exemplarTraceIdDestinations: [{ name: "trace_id", datasourceUid: "tempo" }] },
            },
            { name: "Loki", uid: "loki", type: "loki", access: "proxy", url: `$${e.loki}` },
            { name: "Tempo", uid: "tempo", type: "tempo", access: "proxy", url: `$${e.tempo}` },
          ],
        },
      ),
    ],
  ]);
}
