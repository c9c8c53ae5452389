// What `generate` needs beyond what the schema checks; errors name the key like the schema's.
import { ConfigError, type ConfigIssue } from "../config/errors.js";
import type { Config } from "../config/model.js";
import type { LinkBase } from "./links.js";

function httpUrl(text: string | undefined): boolean {
  if (text === undefined) return false;
  try {
    const u = new URL(text);
    return (u.protocol === "https:" || u.protocol === "http:") && u.host !== "";
  } catch {
    return false;
  }
}

/** Checks the config for generation; returns the link bases (trailing slashes removed). */
export function validateForGenerate(config: Config): LinkBase {
  const issues: ConfigIssue[] = [];
  const { runbookBaseUrl, grafanaUrl } = config.alerting;
  if (runbookBaseUrl === undefined) {
    issues.push({
      path: "alerting.runbook_base_url",
      message: "required by generate: every alert links to its runbook",
    });
  } else if (!httpUrl(runbookBaseUrl)) {
    issues.push({ path: "alerting.runbook_base_url", message: "must be an http(s) URL" });
  }
  if (grafanaUrl !== undefined && !httpUrl(grafanaUrl)) {
    issues.push({ path: "alerting.grafana_url", message: "must be an http(s) URL" });
  }
  config.models.forEach((m, i) => {
    if (m.owner !== undefined && !(m.owner in config.alerting.owners)) {
      issues.push({
        path: `models[${i}].owner`,
        message: `no route for owner "${m.owner}" in alerting.owners`,
      });
    }
  });
  if (issues.length > 0) throw new ConfigError(config.source, issues);
  const trim = (s: string) => s.replace(/\/+$/, "");
  return { runbookBaseUrl: trim(runbookBaseUrl as string), grafanaUrl: trim(grafanaUrl ?? "") };
}
