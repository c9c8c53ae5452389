// Builds the JSON schemas kubeconform reads offline (deploy/schemas/, README there) from registry
// packages, and records where each came from:
//   core Kubernetes: the "local-strict" schemas the PyPI package kubernetes-validate ships, made
//     standalone (the referenced definitions copied under $defs of each file);
//   CRDs: the CustomResourceDefinitions in the prometheus-operator, KEDA, Argo Rollouts and Flagger
//     Go modules, converted as kubeconform's openapi2jsonschema does (additionalProperties: false
//     wherever properties are listed, the root included, for -strict; format int-or-string → string
//     or integer).
// Usage: node scripts/build-schemas.mjs   (needs pip and go; run by hand, the output is committed)
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const OUT = new URL("../deploy/schemas/", import.meta.url).pathname;
export const KUBERNETES_VERSION = "1.31.0";
const KUBERNETES_VALIDATE = "1.37.0";
/** kind file names in kubeconform's default layout: {kind}-{group}-{version}.json ("core" has no group) */
const CORE_KINDS = [
  "configmap-v1",
  "namespace-v1",
  "secret-v1",
  "service-v1",
  "serviceaccount-v1",
  "daemonset-apps-v1",
  "deployment-apps-v1",
  "horizontalpodautoscaler-autoscaling-v2",
  "networkpolicy-networking-v1",
  "poddisruptionbudget-policy-v1",
];
const GO_MODULES = [
  {
    module: "github.com/prometheus-operator/prometheus-operator",
    version: "v0.85.0",
    dir: "example/prometheus-operator-crd",
    files: [
      "monitoring.coreos.com_podmonitors.yaml",
      "monitoring.coreos.com_servicemonitors.yaml",
      "monitoring.coreos.com_prometheusrules.yaml",
    ],
  },
  {
    module: "github.com/kedacore/keda/v2",
    version: "v2.20.2",
    dir: "config/crd/bases",
    files: ["keda.sh_scaledobjects.yaml", "keda.sh_triggerauthentications.yaml"],
  },
  // the rollout templates `generate` writes (deploy/rollouts/, docs/rollouts.md)
  {
    module: "github.com/argoproj/argo-rollouts",
    version: "v1.9.1",
    dir: "manifests/crds",
    files: ["analysis-template-crd.yaml", "rollout-crd.yaml"],
  },
  {
    module: "github.com/fluxcd/flagger",
    version: "v1.44.0",
    dir: "artifacts/flagger",
    files: ["crd.yaml"],
    // crd.yaml also holds AlertProvider, which nothing here uses
    kinds: ["Canary", "MetricTemplate"],
  },
];

const json = (x) => `${JSON.stringify(x, null, 2)}\n`;

function coreSchemas(sources) {
  const work = mkdtempSync(join(tmpdir(), "infermon-schemas-"));
  try {
    execFileSync("pip", [
      "download",
      "--no-deps",
      "-q",
      "-d",
      work,
      `kubernetes-validate==${KUBERNETES_VALIDATE}`,
    ]);
    const wheel = readdirSync(work).find((f) => f.endsWith(".whl"));
    const dir = `kubernetes_validate/kubernetes-json-schema/v${KUBERNETES_VERSION}-local-strict`;
    execFileSync("unzip", ["-q", join(work, wheel), `${dir}/*`, "-d", work]);
    const src = join(work, dir);
    const defs = JSON.parse(readFileSync(join(src, "_definitions.json"), "utf8")).$defs;
    const out = join(OUT, "kubernetes", `v${KUBERNETES_VERSION}-standalone-strict`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    for (const kind of CORE_KINDS) {
      const schema = JSON.parse(readFileSync(join(src, `${kind}.json`), "utf8"));
      const used = {};
      const visit = (x) => {
        if (Array.isArray(x)) return x.map(visit);
        if (!x || typeof x !== "object") return x;
        const o = {};
        for (const [k, v] of Object.entries(x)) {
          if (k === "$ref" && typeof v === "string" && v.includes("#/$defs/")) {
            const name = v.split("#/$defs/")[1];
            if (!(name in used)) {
              used[name] = null;
              used[name] = visit(defs[name]);
            }
            o[k] = `#/$defs/${name}`;
          } else o[k] = visit(v);
        }
        return o;
      };
      const root = visit(schema);
      delete root.$id;
      root.$defs = Object.fromEntries(Object.entries(used).sort(([a], [b]) => (a < b ? -1 : 1)));
      writeFileSync(join(out, `${kind}.json`), json(root));
    }
    sources.push(
      `kubernetes/v${KUBERNETES_VERSION}-standalone-strict/: PyPI kubernetes-validate ${KUBERNETES_VALIDATE}, ` +
        `kubernetes-json-schema/v${KUBERNETES_VERSION}-local-strict (${CORE_KINDS.join(", ")}), definitions inlined under $defs`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

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

function crdSchemas(sources) {
  rmSync(join(OUT, "crds", "monitoring.coreos.com"), { recursive: true, force: true });
  rmSync(join(OUT, "crds", "keda.sh"), { recursive: true, force: true });
  rmSync(join(OUT, "crds", "argoproj.io"), { recursive: true, force: true });
  rmSync(join(OUT, "crds", "flagger.app"), { recursive: true, force: true });
  for (const m of GO_MODULES) {
    const info = JSON.parse(
      execFileSync("go", ["mod", "download", "-json", `${m.module}@${m.version}`], { encoding: "utf8" }),
    );
    const written = [];
    for (const f of m.files) {
      for (const doc of parseAllDocuments(readFileSync(join(info.Dir, m.dir, f), "utf8"))) {
        const crd = doc.toJS();
        if (crd?.kind !== "CustomResourceDefinition") continue;
        if (m.kinds && !m.kinds.includes(crd.spec.names.kind)) continue;
        for (const v of crd.spec.versions) {
          const schema = v.schema?.openAPIV3Schema;
          if (!schema) continue;
          const dir = join(OUT, "crds", crd.spec.group);
          mkdirSync(dir, { recursive: true });
          const name = `${crd.spec.names.kind.toLowerCase()}_${v.name}.json`;
          writeFileSync(join(dir, name), json(strict(schema)));
          written.push(`${crd.spec.group}/${name}`);
        }
      }
    }
    sources.push(`crds/: Go module ${m.module}@${m.version}, ${m.dir}/ (${written.join(", ")})`);
  }
}

const sources = [];
coreSchemas(sources);
crdSchemas(sources);
writeFileSync(join(OUT, "SOURCES.txt"), `${sources.join("\n")}\n`);
console.log(sources.join("\n"));
