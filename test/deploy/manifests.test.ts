// What the generated manifests promise beyond their schema: every agent pod carries
// infermon.io/agent=<mode> and runs a container named `infermon` under the restricted security
// profile with the documented probes; the grace covers the agent's drain; the PodMonitor and the
// rules take the configured namespace and labels (kube-prometheus-stack's `release`) and select
// by infermon's own label; each role's infermon.yaml is a configuration the agent accepts, wired
// to the join; the payload loggers point at the aggregator.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseConfig } from "../../src/config/load.js";
import { AGENT_POD_LABEL, MODEL_POD_LABEL } from "../../src/generate/conventions.js";
import { AGENT_DRAIN_SECONDS } from "../../src/generate/deploy/common.js";
import { generate } from "../../src/generate/pipeline.js";
import { configFrom, exampleData, variantData } from "../generate/helpers.js";

// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML, read field by field
type Obj = Record<string, any>;

function manifests(data: Record<string, unknown>): Map<string, Obj> {
  const out = new Map<string, Obj>();
  for (const [path, text] of generate(configFrom(data), { source: "x.yaml" }))
    if (path.startsWith("deploy/kubernetes/") && !path.endsWith("kustomization.yaml"))
      out.set(path, parse(text));
  return out;
}

const example = manifests(exampleData());
const byKind = (m: Map<string, Obj>, kind: string) => [...m.values()].filter((o) => o.kind === kind);
const pods = (m: Map<string, Obj>) =>
  [...byKind(m, "Deployment"), ...byKind(m, "DaemonSet")].map((w) => ({
    name: w.metadata.name,
    spec: w.spec.template,
  }));
const agentOf = (pod: Obj): Obj =>
  [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c: Obj) => c.name === "infermon");

describe("agent pods", () => {
  it("every workload's pod is labelled with its mode and runs a container named infermon", () => {
    const modes = pods(example).map((p) => p.spec.metadata.labels[AGENT_POD_LABEL]);
    expect(modes.sort()).toEqual(["aggregator", "aggregator", "daemonset", "sidecar"]);
    for (const p of pods(example)) expect(agentOf(p.spec), p.name).toBeDefined();
  });

  it("runs restricted: non-root, no privilege escalation, no capabilities, read-only root, seccomp", () => {
    for (const p of pods(example)) {
      const pod = p.spec.spec;
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
      for (const c of [...(pod.initContainers ?? []), ...pod.containers])
        expect(c.securityContext, `${p.name}/${c.name}`).toMatchObject({
          allowPrivilegeEscalation: false,
          runAsNonRoot: true,
          capabilities: { drop: ["ALL"] },
        });
      expect(agentOf(p.spec).securityContext.readOnlyRootFilesystem).toBe(true);
      expect(pod.automountServiceAccountToken).toBe(false);
    }
  });

  it("probes /healthz (liveness) and /readyz (readiness, startup); requests and limits set", () => {
    for (const p of pods(example)) {
      const c = agentOf(p.spec);
      expect(c.livenessProbe.httpGet.path).toBe("/healthz");
      expect(c.readinessProbe.httpGet.path).toBe("/readyz");
      expect(c.startupProbe.httpGet.path).toBe("/readyz");
      expect(c.resources.requests.memory).toMatch(/Mi$/);
      expect(c.resources.limits.memory).toMatch(/Mi$/);
      expect(p.spec.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(AGENT_DRAIN_SECONDS);
    }
  });

  it("the sidecar is a native sidecar in front of the model; the Service targets the tap", () => {
    const d = byKind(example, "Deployment").find(
      (w) => w.spec.template.metadata.labels[AGENT_POD_LABEL] === "sidecar",
    ) as Obj;
    const init = d.spec.template.spec.initContainers[0];
    expect(init).toMatchObject({ name: "infermon", restartPolicy: "Always" });
    expect(d.spec.template.metadata.labels[MODEL_POD_LABEL]).toBe("credit");
    const model = d.spec.template.spec.containers[0];
    expect(model.lifecycle.preStop.sleep.seconds).toBeGreaterThan(0);
    // the model's preStop and drain come before the agent's own drain
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
      model.lifecycle.preStop.sleep.seconds + AGENT_DRAIN_SECONDS,
    );
    const svc = byKind(example, "Service").find((s) => s.metadata.name === d.metadata.name) as Obj;
    expect(svc.spec.ports[0].targetPort).toBe("infermon-tap");
  });

  it("the join is one replica (Recreate) without Kafka, and sized from max_pending", () => {
    const join = byKind(example, "Deployment").find((d) => d.metadata.name === "infermon-join") as Obj;
    expect(join.spec.replicas).toBe(1);
    expect(join.spec.strategy.type).toBe("Recreate");
    // 1,000,000 + 200,000 pending at ≤ 256 B, plus the process: > 300 MiB
    expect(Number.parseInt(agentOf(join.spec.template).resources.requests.memory, 10)).toBeGreaterThan(300);
    expect(byKind(example, "ScaledObject")).toEqual([]);
    expect(byKind(example, "HorizontalPodAutoscaler").map((h) => h.spec.scaleTargetRef.name)).toEqual([
      "infermon-aggregator",
    ]);
  });
});

describe("each role's infermon.yaml", () => {
  const configs = new Map(
    byKind(example, "ConfigMap")
      .filter((c) => c.data["infermon.yaml"])
      .map((c) => [c.metadata.labels["app.kubernetes.io/component"], c.data["infermon.yaml"] as string]),
  );

  it("is a configuration the agent accepts, with its listeners on the pod's ports", () => {
    expect([...configs.keys()].sort()).toEqual(["aggregator", "daemonset", "join", "sidecar"]);
    for (const [role, text] of configs) {
      const c = parseConfig(text, `${role}.yaml`, "/etc/infermon");
      expect(c.metrics.listen).toBe("0.0.0.0:9464");
      expect(c.models.map((m) => m.reference)).toEqual([
        "/etc/infermon/credit.json",
        "/etc/infermon/house-price.json",
      ]);
      if (role === "sidecar")
        expect(c.tap).toMatchObject({ listen: "0.0.0.0:8080", upstream: "http://127.0.0.1:9000" });
      else expect(c.ingest?.listen).toBe("0.0.0.0:8081");
      // everyone but the join forwards its predictions to the join
      if (role === "join") expect(c.forward).toBeUndefined();
      else expect(c.forward?.url).toBe("http://infermon-join.infermon.svc:8081");
    }
  });

  it("carries the reference profiles it names", () => {
    const cm = byKind(example, "ConfigMap").find(
      (c) => c.metadata.labels["app.kubernetes.io/component"] === "join",
    ) as Obj;
    expect(JSON.parse(cm.data["credit.json"]).model).toBe("credit");
  });

  it("with Kafka, the edges publish and the join consumes (no forward)", () => {
    const kafka = manifests(variantData());
    for (const c of byKind(kafka, "ConfigMap").filter((x) => x.data["infermon.yaml"])) {
      const role = c.metadata.labels["app.kubernetes.io/component"];
      const cfg = parseConfig(c.data["infermon.yaml"], "x.yaml", "/etc/infermon");
      expect(cfg.forward, role).toBeUndefined();
      expect(cfg.kafka?.publishPredictions, role).toBe(role !== "join");
    }
    expect(byKind(kafka, "ScaledObject")[0]?.spec.triggers[0].metadata).toMatchObject({
      consumerGroup: "infermon",
      topic: "inference.predictions",
    });
  });
});

describe("credentials from Secrets (ingest.web_config_file, forward: client settings)", () => {
  const secured = (() => {
    const d = exampleData();
    d.ingest = { ...(d.ingest as object), web_config_file: "./secrets/join-web.yaml", read_timeout: "5s" };
    d.forward = {
      url: "https://ignored.example:8081",
      basic_auth: { username: "sidecar", password_file: "./secrets/forward-password" },
      tls_config: { ca_file: "./secrets/ca.crt" },
    };
    return manifests(d);
  })();
  const roleConfig = (role: string) => {
    const cm = byKind(secured, "ConfigMap").find(
      (c) => c.metadata.labels["app.kubernetes.io/component"] === role && c.data["infermon.yaml"],
    ) as Obj;
    return parseConfig(cm.data["infermon.yaml"], `${role}.yaml`, "/etc/infermon");
  };
  const podOf = (component: string) =>
    pods(secured).find((p) => p.spec.metadata.labels["app.kubernetes.io/component"] === component)
      ?.spec as Obj;

  it("the join's ingest reads its web config from the infermon-ingest-web Secret; the listener limits stay", () => {
    const join = roleConfig("join");
    expect(join.ingest?.webConfigFile).toBe("/etc/infermon-ingest-web/join-web.yaml");
    expect(join.ingest?.readTimeoutMs).toBe(5_000);
    const pod = podOf("join");
    expect(pod.spec.volumes).toContainEqual({
      name: "infermon-ingest-web",
      secret: { secretName: "infermon-ingest-web", defaultMode: 0o440 },
    });
    expect(agentOf(pod).volumeMounts).toContainEqual({
      name: "infermon-ingest-web",
      mountPath: "/etc/infermon-ingest-web",
      readOnly: true,
    });
    // payload loggers send no credentials: the aggregator's ingest stays open behind its NetworkPolicy
    expect(roleConfig("aggregator").ingest?.webConfigFile).toBeUndefined();
    expect(roleConfig("aggregator").ingest?.readTimeoutMs).toBe(5_000);
  });

  it("forwarders send forward:'s credentials from the infermon-forward Secret, over https to the join", () => {
    for (const role of ["sidecar", "daemonset", "aggregator"]) {
      const f = roleConfig(role).forward;
      expect(f?.url, role).toBe("https://infermon-join.infermon.svc:8081");
      expect(f?.basicAuth, role).toEqual({
        username: "sidecar",
        passwordFile: "/etc/infermon-forward/forward-password",
      });
      expect(f?.tls?.caFile, role).toBe("/etc/infermon-forward/ca.crt");
    }
    const sidecar = pods(secured).find((p) => p.spec.metadata.labels[AGENT_POD_LABEL] === "sidecar")
      ?.spec as Obj;
    expect(agentOf(sidecar).volumeMounts.map((m: Obj) => m.name)).toContain("infermon-forward");
    expect(sidecar.spec.volumes.map((v: Obj) => v.name)).toContain("infermon-forward");
    expect(podOf("join").spec.volumes.map((v: Obj) => v.name)).not.toContain("infermon-forward");
    // without credentials configured, no Secret is mounted anywhere
    for (const p of pods(example))
      expect(
        p.spec.spec.volumes.map((v: Obj) => v.name),
        p.name,
      ).toEqual(["infermon-config", "infermon-tmp"]);
  });
});

describe("monitoring for kube-prometheus-stack", () => {
  const custom = manifests({
    ...exampleData(),
    deploy: { namespace: "ml", monitoring: { namespace: "monitoring", labels: { release: "kps" } } },
  });

  it("PodMonitor and PrometheusRules take the configured namespace and labels", () => {
    const objs = [...byKind(custom, "PodMonitor"), ...byKind(custom, "PrometheusRule")];
    expect(objs.length).toBeGreaterThan(5);
    for (const o of objs) {
      expect(o.metadata.namespace).toBe("monitoring");
      expect(o.metadata.labels.release).toBe("kps");
    }
    for (const d of [...byKind(custom, "Deployment"), ...byKind(custom, "DaemonSet")])
      expect(d.metadata.namespace).toBe("ml");
  });

  it("the PodMonitor selects by infermon's own label and port, never the model's", () => {
    const pm = byKind(example, "PodMonitor")[0] as Obj;
    expect(pm.spec.selector).toEqual({ matchExpressions: [{ key: AGENT_POD_LABEL, operator: "Exists" }] });
    expect(JSON.stringify(pm.spec)).not.toContain("app.kubernetes.io/name");
    expect(pm.spec.podMetricsEndpoints[0].port).toBe("infermon-metric");
    expect(pm.spec.podMetricsEndpoints[0].relabelings[0]).toEqual({
      action: "keep",
      sourceLabels: ["__meta_kubernetes_pod_container_name"],
      regex: "infermon",
    });
  });

  it("dashboards are ConfigMaps labelled for Grafana's sidecar", () => {
    const d = byKind(example, "ConfigMap").filter((c) => c.metadata.labels.grafana_dashboard === "1");
    // one per generated dashboard
    const dashboards = [...generate(configFrom(exampleData()), { source: "x.yaml" }).keys()]
      .filter((p) => p.startsWith("dashboards/") && p.endsWith(".json"))
      .map((p) => `infermon-${p.slice("dashboards/".length)}`);
    expect(dashboards.length).toBeGreaterThanOrEqual(5);
    expect(d.map((c) => Object.keys(c.data)[0]).sort()).toEqual(dashboards.sort());
    for (const c of d) expect(JSON.parse(Object.values(c.data)[0] as string).uid).toMatch(/^infermon-/);
  });

  it("NetworkPolicies admit the loggers (or, at the join, agents and label producers) and the scraper only", () => {
    for (const n of byKind(example, "NetworkPolicy")) {
      expect(n.spec.policyTypes).toEqual(["Ingress"]);
      const [senders, scraper] = n.spec.ingress;
      expect(scraper.ports).toEqual([{ port: "infermon-metric", protocol: "TCP" }]);
      expect(senders.ports).toEqual([{ port: "infermon-ingest", protocol: "TCP" }]);
      const keys = JSON.stringify(senders.from);
      if (n.metadata.name === "infermon-join") expect(keys).toContain("infermon.io/label-producer");
      else expect(keys).toContain("serving.kserve.io/inferenceservice");
    }
  });
});

describe("payload logger examples", () => {
  it("KServe and Seldon log to the aggregator's ingest", () => {
    const url = "http://infermon-aggregator.infermon.svc:8081/";
    const isvc = byKind(example, "InferenceService")[0] as Obj;
    expect(isvc.metadata.name).toBe("credit");
    expect(isvc.spec.predictor.logger).toEqual({ mode: "all", url });
    expect(isvc.spec.predictor.model.protocolVersion).toBe("v2");
    const sdep = byKind(example, "SeldonDeployment")[0] as Obj;
    expect(sdep.spec.predictors[0].graph.logger).toEqual({ mode: "all", url });
  });
});
