// Every manifest infermon ships passes kubeconform v0.8.0 against the schemas committed under
// deploy/schemas/ (offline, strict: an unknown field is an error): what `generate` writes for the
// example and for a Kafka variant, the committed deploy/kubernetes/, and `helm template` of the
// chart for each values file and mode. helm lint passes; bad values fail `helm template` naming
// the value. The chart mounts the credential Secrets (ingest.webConfigSecret, forward.secret) where
// the generated manifests do, and renders exactly as before without them.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify as toYaml } from "yaml";
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

// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML, read field by field
type Obj = Record<string, any>;

/** `helm template` of the chart as release `rel` in namespace `ml`; the test fails on an error. */
function render(args: string[]): string {
  const r = helm(["template", "rel", CHART, "-n", "ml", "--kube-version", KUBE_VERSION, ...args]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** Each role's infermon.yaml (by the ConfigMap's component label) in a render. */
function roleConfigs(out: string): Map<string, Obj> {
  const m = new Map<string, Obj>();
  for (const d of parseAllDocuments(out)) {
    const o = d.toJS() as Obj | null;
    if (o?.kind === "ConfigMap" && o.data?.["infermon.yaml"])
      m.set(o.metadata.labels["app.kubernetes.io/component"], parse(o.data["infermon.yaml"]));
  }
  return m;
}

/** Each role's Deployment or DaemonSet in a render of release `rel` (the sidecar's is the model's). */
const WORKLOAD: Record<string, string> = {
  join: "rel-infermon-join",
  aggregator: "rel-infermon-aggregator",
  daemonset: "rel-infermon-node",
  sidecar: "rel-infermon-credit",
};

const agentOf = (workload: Obj): Obj =>
  [...(workload.spec.template.spec.initContainers ?? []), ...workload.spec.template.spec.containers].find(
    (c: Obj) => c.name === "infermon",
  );

/** The user's config with a join web config and forward: credentials (files under ./secrets). */
const credentialsConfig = [
  "--set-json",
  `config=${JSON.stringify({
    models: [{ name: "credit", task: "binary_classification" }],
    ingest: { listen: "127.0.0.1:8081", web_config_file: "./secrets/join-web.yaml" },
    forward: {
      url: "http://ignored:8081",
      basic_auth: { username: "sidecar", password_file: "./secrets/forward-password" },
      tls_config: { ca_file: "./secrets/ca.crt", server_name: "rel-infermon-join.ml.svc" },
    },
  })}`,
  "--set-json",
  'profiles={"credit":"{}"}',
];

/**
 * NOTES.txt as `helm install` prints it: `helm template` skips NOTES, so a copy of the chart
 * renders it through `tpl` as a template's value.
 */
function notes(args: string[]): string[] {
  const chart = join(work, "notes-chart");
  rmSync(chart, { recursive: true, force: true });
  cpSync(CHART, chart, { recursive: true });
  cpSync(join(CHART, "templates/NOTES.txt"), join(chart, "files/NOTES.txt"));
  writeFileSync(
    join(chart, "templates/notes.yaml"),
    'notes: {{ tpl (.Files.Get "files/NOTES.txt") . | toJson }}\n',
  );
  const r = helm([
    "template",
    "rel",
    chart,
    "-n",
    "ml",
    "--kube-version",
    KUBE_VERSION,
    "--show-only",
    "templates/notes.yaml",
    ...args,
  ]);
  expect(r.status, r.stderr).toBe(0);
  return String((parse(r.stdout) as Obj).notes).split("\n");
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

  it("a render without the credential values is the render of before: no Secret, forward: only its url", () => {
    for (const args of [
      [],
      ["--set", "mode=sidecar"],
      ["--set", "mode=daemonset"],
      // credentials in config alone mount nothing (and the pods do not wait for a Secret)
      ["--set", "mode=sidecar", ...credentialsConfig],
    ]) {
      const plain = render(args);
      expect(render([...args, "--set", "ingest.webConfigSecret=", "--set", "forward.secret="])).toBe(plain);
      const objects = parseAllDocuments(plain).map((d) => d.toJS() as Obj | null);
      for (const w of objects.filter((o) => o?.kind === "Deployment" || o?.kind === "DaemonSet") as Obj[]) {
        expect(
          w.spec.template.spec.volumes.map((v: Obj) => v.name),
          w.metadata.name,
        ).toEqual(["infermon-config", "infermon-tmp"]);
        expect(agentOf(w).volumeMounts, w.metadata.name).toEqual([
          { name: "infermon-config", mountPath: "/etc/infermon", readOnly: true },
          { name: "infermon-tmp", mountPath: "/tmp" },
        ]);
      }
      for (const [role, cfg] of roleConfigs(plain)) {
        if (role === "sidecar") expect(cfg.ingest, role).toBeUndefined();
        else expect(cfg.ingest, role).toEqual({ listen: "0.0.0.0:8081" });
        if (role === "join") expect(cfg.forward, role).toBeUndefined();
        else expect(cfg.forward, role).toEqual({ url: "http://rel-infermon-join.ml.svc:8081" });
      }
    }
  });

  it.each(["aggregator", "daemonset", "sidecar"])(
    "mode=%s with ingest.webConfigSecret and forward.secret: the Secrets are mounted read-only where the config reads them",
    (mode) => {
      const out = render([
        "--set",
        `mode=${mode}`,
        ...credentialsConfig,
        "--set",
        "ingest.webConfigSecret=join-web",
        "--set",
        "forward.secret=join-client",
      ]);
      const file = join(work, `helm-secrets-${mode}.yaml`);
      writeFileSync(file, out);
      const k = kubeconform([file]);
      expect(k.status, k.out).toBe(0);
      expect(k.out).toMatch(/Invalid: 0, Errors: 0/);

      const configs = roleConfigs(out);
      expect([...configs.keys()].sort()).toEqual(["join", mode].sort());
      // the agent accepts each role's config, with the files at the mounts
      const joiner = parseConfig(toYaml(configs.get("join")), "join.yaml", "/etc/infermon");
      expect(joiner.ingest?.webConfigFile).toBe("/etc/infermon-ingest-web/join-web.yaml");
      expect(joiner.forward).toBeUndefined();
      const edge = parseConfig(toYaml(configs.get(mode)), `${mode}.yaml`, "/etc/infermon");
      expect(edge.forward?.url).toBe("https://rel-infermon-join.ml.svc:8081");
      expect(edge.forward?.basicAuth).toEqual({
        username: "sidecar",
        passwordFile: "/etc/infermon-forward/forward-password",
      });
      expect(edge.forward?.tls?.caFile).toBe("/etc/infermon-forward/ca.crt");
      expect(edge.forward?.tls?.serverName).toBe("rel-infermon-join.ml.svc");
      // payload loggers send no credentials: the edge's own ingest stays as it was
      if (mode !== "sidecar") expect(configs.get(mode)?.ingest).toEqual({ listen: "0.0.0.0:8081" });

      // the Secret volumes and the agent's mounts beside the config and /tmp, per role's workload
      const workloads = parseAllDocuments(out).map((d) => d.toJS() as Obj | null);
      const secretMounts = (role: string) => {
        const w = workloads.find((o) => o?.spec?.template && o.metadata.name === WORKLOAD[role]) as Obj;
        return {
          volumes: (w.spec.template.spec.volumes as Obj[]).filter((v) => v.secret),
          mounts: (agentOf(w).volumeMounts as Obj[]).filter(
            (m) => !["/etc/infermon", "/tmp"].includes(m.mountPath),
          ),
        };
      };
      expect(secretMounts("join")).toEqual({
        volumes: [{ name: "infermon-ingest-web", secret: { secretName: "join-web", defaultMode: 0o440 } }],
        mounts: [{ name: "infermon-ingest-web", mountPath: "/etc/infermon-ingest-web", readOnly: true }],
      });
      expect(secretMounts(mode)).toEqual({
        volumes: [{ name: "infermon-forward", secret: { secretName: "join-client", defaultMode: 0o440 } }],
        mounts: [{ name: "infermon-forward", mountPath: "/etc/infermon-forward", readOnly: true }],
      });
    },
  );

  it("forward.secret with authorization: its credentials file is read from the Secret, over http without tls_config", () => {
    const out = render([
      "--set-json",
      'config={"models":[{"name":"credit","task":"binary_classification"}],"forward":{"url":"http://x:1","authorization":{"credentials_file":"/var/run/token"}}}',
      "--set-json",
      'profiles={"credit":"{}"}',
      "--set",
      "forward.secret=join-client",
    ]);
    const edge = parseConfig(toYaml(roleConfigs(out).get("aggregator")), "aggregator.yaml", "/etc/infermon");
    expect(edge.forward?.url).toBe("http://rel-infermon-join.ml.svc:8081");
    expect(edge.forward?.authorization).toEqual({
      type: "Bearer",
      credentialsFile: "/etc/infermon-forward/token",
    });
    // no web config: the join mounts nothing
    expect(out).not.toContain("infermon-ingest-web");
  });

  it("NOTES warns when config has credentials the chart does not mount", () => {
    const warnings = (args: string[]) => notes(args).filter((l) => l.startsWith("WARNING"));
    expect(warnings([])).toEqual([]);
    expect(warnings(credentialsConfig).join("\n")).toMatch(
      /ingest\.web_config_file is set but ingest\.webConfigSecret[\s\S]*forward's basic_auth/,
    );
    expect(
      warnings([...credentialsConfig, "--set", "ingest.webConfigSecret=a", "--set", "forward.secret=b"]),
    ).toEqual([]);
  });

  it.each([
    [
      ["--set", "ingest.webConfigSecret=join-web"],
      /ingest\.webConfigSecret: config\.ingest\.web_config_file is not set/,
    ],
    [["--set", "forward.secret=join-client"], /forward\.secret: config\.forward has no basic_auth/],
    [["--set", "forward.secret=Join_Client"], /\/forward\/secret/],
    [["--set", "ingest.webConfigSecret=-x"], /\/ingest\/webConfigSecret/],
  ])("credential values %j without what they need fail naming the value", (args, message) => {
    const r = helm(["template", "rel", CHART, "--kube-version", KUBE_VERSION, ...args]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
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
