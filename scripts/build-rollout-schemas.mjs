// Builds the JSON schemas kubeconform reads offline for the rollout templates `generate` writes
// (deploy/rollouts/): the CustomResourceDefinitions of Argo Rollouts (AnalysisTemplate, Rollout)
// and Flagger (MetricTemplate, Canary) from their Go modules on the Go module proxy, converted as
// kubeconform's openapi2jsonschema does (additionalProperties: false wherever properties are
// listed, the root included, for -strict; format int-or-string → string or integer), in
// kubeconform's -schema-location layout deploy/schemas/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json,
// and records where each came from in deploy/schemas/crds/rollouts-SOURCES.txt.
// Usage: node scripts/build-rollout-schemas.mjs   (needs go; run by hand, the output is committed)
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const OUT = new URL("../deploy/schemas/crds/", import.meta.url).pathname;
const GO_MODULES = [
  {
    module: "github.com/argoproj/argo-rollouts",
    version: "v1.9.1",
    dir: "manifests/crds",
    files: ["analysis-template-crd.yaml", "rollout-crd.yaml"],
  },
  { module: "github.com/fluxcd/flagger", version: "v1.44.0", dir: "artifacts/flagger", files: ["crd.yaml"] },
];
/** the kinds the templates use (Flagger's crd.yaml also holds AlertProvider) */
const KINDS = new Set(["AnalysisTemplate", "Rollout", "MetricTemplate", "Canary"]);

const json = (x) => `${JSON.stringify(x, null, 2)}\n`;

/** kubeconform's openapi2jsonschema: objects that list properties allow no others. */
function strict(x) {
  if (Array.isArray(x)) return x.map(strict);
  if (!x || typeof x !== "object") return x;
  const o = {};
  for (const [k, v] of Object.entries(x))
    o[k] =
      v && typeof v === "object" && !Array.isArray(v) && v.format === "int-or-string"
        ? { oneOf: [{ type: "string" }, { type: "integer" }] }
        : strict(v);
  if ("properties" in o && !("additionalProperties" in o)) o.additionalProperties = false;
  return o;
}

const sources = [];
for (const m of GO_MODULES) {
  const info = JSON.parse(
    execFileSync("go", ["mod", "download", "-json", `${m.module}@${m.version}`], { encoding: "utf8" }),
  );
  const written = [];
  for (const f of m.files) {
    for (const doc of parseAllDocuments(readFileSync(join(info.Dir, m.dir, f), "utf8"))) {
      const crd = doc.toJS();
      if (crd?.kind !== "CustomResourceDefinition" || !KINDS.has(crd.spec.names.kind)) continue;
      for (const v of crd.spec.versions) {
        const schema = v.schema?.openAPIV3Schema;
        if (!schema) continue;
        const dir = join(OUT, crd.spec.group);
        mkdirSync(dir, { recursive: true });
        const name = `${crd.spec.names.kind.toLowerCase()}_${v.name}.json`;
        writeFileSync(join(dir, name), json(strict(schema)));
        written.push(`${crd.spec.group}/${name}`);
      }
    }
  }
  sources.push(
    `crds/: Go module ${m.module}@${m.version} (${info.Origin?.Hash ?? "no origin"}), ${m.dir}/ (${written.join(", ")})`,
  );
}
writeFileSync(join(OUT, "rollouts-SOURCES.txt"), `${sources.join("\n")}\n`);
console.log(sources.join("\n"));
