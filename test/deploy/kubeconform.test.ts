// Every manifest infermon ships passes kubeconform v0.8.0 against the schemas committed under
// deploy/schemas/ (offline, strict: an unknown field is an error): what `generate` writes for the
// example and for a Kafka variant, the committed deploy/kubernetes/, and `helm template` of the
// chart for each values file and mode. helm lint passes; bad values fail `helm template` naming
// the value.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseConfig } from "../../src/config/load.js";
import { generate } from "../../src/generate/pipeline.js";
import { configFrom, exampleData, variantData } from "../generate/helpers.js";
import { ROOT } from "../helpers/cli.js";
import { goToolPath, requireGoTool } from "../helpers/peers.js";

const KUBE_VERSION = "1.31.0";
const CHART = join(ROOT, "deploy/helm/infermon");
const hasKubeconform = requireGoTool("kubeconform");
const hasHelm = requireGoTool("helm");
const work = mkdtempSync(join(tmpdir(), "infermon-kubeconform-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** kubeconform on files or directories; KServe/Seldon examples have no schema (deploy/schemas/README.md). */
function kubeconform(paths: string[]) {
  const r = spawnSync(
    goToolPath("kubeconform"),
    [
      "-strict",
      "-summary",
      "-output",
      "text",
      "-kubernetes-version",
      KUBE_VERSION,
      "-schema-location",
      join(
        ROOT,
        "deploy/schemas/kubernetes/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json",
      ),
      "-schema-location",
      join(ROOT, "deploy/schemas/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"),
      "-skip",
      "InferenceService,SeldonDeployment,Kustomization",
      ...paths,
    ],
    { encoding: "utf8", timeout: 120_000 },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function helm(args: string[]) {
  const r = spawnSync(goToolPath("helm"), args, { encoding: "utf8", timeout: 120_000, cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The deploy/kubernetes/ part of `generate`'s output, written under a fresh directory. */
function writeManifests(name: string, data: Record<string, unknown>): string {
  const dir = join(work, name);
  for (const [path, content] of generate(configFrom(data), { source: "x.yaml" })) {
    if (!path.startsWith("deploy/kubernetes/")) continue;
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return join(dir, "deploy/kubernetes");
}

describe.skipIf(!hasKubeconform)("kubeconform on generated manifests", () => {
  it.each([
    ["example", exampleData()],
    ["kafka variant", variantData()],
  ])("%s: every object is valid", (name, data) => {
    const dir = writeManifests(name.replace(/ /g, "-"), data);
    const r = kubeconform([dir]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/Invalid: 0, Errors: 0/);
    // the Kafka variant's join scales on lag with KEDA
    if (name === "kafka variant")
      expect(readdirSync(join(dir, "join"))).toContain("infermon-join.scaledobject.yaml");
  });

  it("the committed deploy/kubernetes/ is valid", () => {
    const r = kubeconform([join(ROOT, "deploy/kubernetes")]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/Valid: \d{2,}, Invalid: 0, Errors: 0/);
  });

  it("an invalid field fails (so the checks above mean something)", () => {
    const f = join(work, "bad.yaml");
    writeFileSync(
      f,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers:\n        - name: infermon\n          image: x:1\n          ports: [{containerPort: "eighty"}]\n          restartPolicyy: Always\n',
    );
    const r = kubeconform([f]);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain("containerPort");
    expect(r.out).toContain("restartPolicyy");
  });
});

describe.skipIf(!hasHelm || !hasKubeconform)("the Helm chart", () => {
  it("passes helm lint", () => {
    const r = helm(["lint", CHART, "--kube-version", KUBE_VERSION]);
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  });

  it.each([
    ["values.yaml", []],
    ["values-dev.yaml", ["-f", join(CHART, "values-dev.yaml")]],
    ["values-prod.yaml", ["-f", join(CHART, "values-prod.yaml")]],
    ["mode=sidecar", ["--set", "mode=sidecar"]],
    ["mode=daemonset", ["--set", "mode=daemonset", "--set", "monitoring.serviceMonitor.enabled=true"]],
    [
      "Kafka with KEDA",
      [
        "--set",
        "keda.enabled=true",
        "--set-json",
        'config={"service":"k","models":[{"name":"credit","task":"binary_classification"}],"kafka":{"brokers":["kafka:9092"],"topics":{"predictions":"p","labels":"l"}}}',
        "--set-json",
        'profiles={"credit":"{}"}',
      ],
    ],
  ])("helm template with %s renders objects kubeconform accepts", (name, args) => {
    const r = helm(["template", "rel", CHART, "-n", "ml", "--kube-version", KUBE_VERSION, ...args]);
    expect(r.status, r.stderr).toBe(0);
    const file = join(work, `helm-${name.replace(/[^a-z0-9]+/gi, "-")}.yaml`);
    writeFileSync(file, r.stdout);
    const k = kubeconform([file]);
    expect(k.status, k.out).toBe(0);
    expect(k.out).toMatch(/Invalid: 0, Errors: 0/);
    if (name === "Kafka with KEDA") expect(r.stdout).toContain("kind: ScaledObject");
    // every role's infermon.yaml is a configuration the agent accepts
    const configs = parseAllDocuments(r.stdout)
      .map((d) => d.toJS() as { kind?: string; data?: Record<string, string> } | null)
      .filter((o) => o?.kind === "ConfigMap" && o.data?.["infermon.yaml"]);
    expect(configs.length).toBeGreaterThanOrEqual(2);
    for (const c of configs)
      expect(() =>
        parseConfig(c?.data?.["infermon.yaml"] as string, "chart.yaml", "/etc/infermon"),
      ).not.toThrow();
  });

  it.each([
    [["--set", "mode=sidecars"], /mode.*must be one of/],
    [["--set-json", 'config={"models":[{"name":"fraud","task":"regression"}]}'], /profiles\.fraud: missing/],
    [["--set", "image.pullPolicy=Sometimes"], /image\/pullPolicy|pullPolicy/],
    [["--set", "typo=1"], /typo/],
  ])("bad values %j fail naming the value", (args, message) => {
    const r = helm(["template", "rel", CHART, "--kube-version", KUBE_VERSION, ...args]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });
});
