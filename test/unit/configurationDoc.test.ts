// docs/configuration.md lists every key the schema accepts: a key added to src/config/schema.ts (or a *Schema.ts part)
// without a row in the doc fails here. A row's first cell names the key (`key`, or the last
// segments of its path, e.g. `thresholds.psi`), in the table of its section.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { configSpec } from "../../src/config/schema.js";

interface Def {
  type: string;
  innerType?: unknown;
  in?: unknown;
  element?: unknown;
  valueType?: unknown;
  options?: unknown[];
  shape?: Record<string, unknown>;
}
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

/** Every key path of the schema: `models[].features[].top_k`, `alerting.owners.*.page`. */
function keyPaths(schema: unknown, path = "", out = new Set<string>()): Set<string> {
  const def = defOf(schema);
  switch (def.type) {
    case "optional":
    case "default":
    case "prefault":
    case "nullable":
    case "readonly":
      return keyPaths(def.innerType, path, out);
    case "pipe":
      return keyPaths(def.in, path, out);
    case "array":
      return keyPaths(def.element, `${path}[]`, out);
    case "record":
      return keyPaths(def.valueType, `${path}.*`, out);
    case "union":
      for (const o of def.options ?? []) keyPaths(o, path, out);
      return out;
    case "object":
      for (const [k, v] of Object.entries(def.shape ?? {})) {
        const p = path ? `${path}.${k}` : k;
        out.add(p);
        keyPaths(v, p, out);
      }
      return out;
    default:
      return out;
  }
}

const doc = readFileSync(fileURLToPath(new URL("../../docs/configuration.md", import.meta.url)), "utf8");

/** Section title (the path prefix, e.g. `models[].drift`) → first cells of its table rows. */
function rowsBySection(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  let section = "";
  for (const line of doc.split("\n")) {
    const h = /^#{2,3} (.*)$/.exec(line);
    if (h) {
      const code = /`([^`]+)`/.exec(h[1] as string);
      section = code ? (code[1] as string) : (h[1] as string).toLowerCase();
      continue;
    }
    const row = /^\| `([^`]+)`/.exec(line);
    if (row) {
      const set = out.get(section) ?? new Set<string>();
      set.add(row[1] as string);
      out.set(section, set);
    }
  }
  return out;
}

/** The doc's section for a key path: `models[].drift.smoothing.alpha` → `models[].drift`. */
const SECTIONS: [RegExp, string][] = [
  [/^models\[\]\.features\[\]\./, "models[].features"],
  [/^models\[\]\.prediction\./, "models[].prediction"],
  [/^models\[\]\.json\./, "models[].json"],
  [/^models\[\]\.drift\./, "models[].drift"],
  [/^models\[\]\.labels\./, "models[].labels"],
  [/^models\[\]\.quality\./, "models[].quality"],
  [/^models\[\]\.data_quality\./, "models[].data_quality"],
  [/^models\[\]\.slo\./, "models[].slo"],
  // the severity policy's concerns are one table, shared by alerting.severity and models[].severity
  [/^(?:models\[\]|alerting)\.severity\./, "alerting.severity"],
  [/^models\[\]\.shadow\./, "models[].shadow"],
  [/^models\[\]\.variants\./, "models[].variants"],
  [/^models\[\]\.rollout\./, "models[].rollout"],
  [/^models\[\]\./, "models"],
  [/^(tap|ingest|kafka|forward|metrics|limits|state|tracing|logging|alerting|deploy)\./, "$1"],
  [/^[^.]+$/, "top level"],
];

/**
 * A key is documented by a row naming its path within the section (`smoothing.alpha`,
 * `thresholds.psi`), or by its parent's row when the parent is a map or a group whose leaves the
 * row spells out (`owners` → `owners.*.page`, `thresholds.psi` → `thresholds.psi.warning`).
 */
function documented(path: string, rows: Map<string, Set<string>>): boolean {
  for (const [re, name] of SECTIONS) {
    const m = re.exec(path);
    if (!m) continue;
    const section = name.replace("$1", m[1] ?? "");
    const rest = (name === "top level" ? path : path.slice(m[0].length)).split(".");
    const cells = rows.get(section) ?? new Set<string>();
    const own = rest.join(".");
    // a group whose keys have rows of their own (`slo.latency` → `latency.threshold`, …)
    if ([...cells].some((c) => c.startsWith(`${own}.`))) return true;
    for (let n = rest.length; n >= 1; n--) {
      if (!cells.has(rest.slice(0, n).join("."))) continue;
      // the row itself, or a parent row that covers a map (`*`) or a `{warning, critical}` pair
      return (
        n === rest.length || rest.slice(n).every((k) => k === "*" || LEAVES_IN_TYPE.has(k)) || rest[n] === "*"
      );
    }
    return false;
  }
  return false;
}

/** Leaves a row's type column spells out instead of rows of their own. */
const LEAVES_IN_TYPE = new Set(["warning", "critical", "page", "ticket", "method"]);

describe("docs/configuration.md", () => {
  const paths = [...keyPaths(configSpec)];
  const rows = rowsBySection();
  it("the schema walk finds the keys", () => {
    expect(paths).toContain("models[].drift.thresholds.psi");
    expect(paths).toContain("alerting.owners.*.page");
    expect(paths.length).toBeGreaterThan(50);
  });
  it("has a row for every key of infermon.yaml", () => {
    expect(paths.filter((p) => !documented(p, rows))).toEqual([]);
  });
});
