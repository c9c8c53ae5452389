// Payload-logger examples that send to the aggregator: a KServe InferenceService and a Seldon Core
// v1 SeldonDeployment per Open Inference Protocol model, their logger URL the aggregator's ingest.
// No typed models or registry-served schemas exist for these CRDs: the shapes below follow KServe's
// v1beta1 and Seldon's v1 APIs, and test/deploy/manifests.test.ts checks the logger wiring.
import type { Config, ModelConfig } from "../../config/model.js";
import { aggregatorUrl } from "./agentConfig.js";
import { commonLabels } from "./common.js";

/** The model's storage: a placeholder the user replaces. */
const storageUri = (m: ModelConfig) => `s3://your-bucket/models/${m.name}`;

export function kserveInferenceService(config: Config, m: ModelConfig): Record<string, unknown> {
  return {
    apiVersion: "serving.kserve.io/v1beta1",
    kind: "InferenceService",
    // the ingest names the model by the InferenceService (KServe's ce-inferenceservicename)
    metadata: { name: m.name, namespace: config.deploy.namespace, labels: commonLabels(config, "example") },
    spec: {
      predictor: {
        logger: { mode: "all", url: `${aggregatorUrl(config)}/` },
        model: {
          modelFormat: { name: "sklearn" },
          protocolVersion: "v2",
          runtime: "kserve-mlserver",
          storageUri: storageUri(m),
        },
      },
    },
  };
}

export function seldonDeployment(config: Config, m: ModelConfig): Record<string, unknown> {
  return {
    apiVersion: "machinelearning.seldon.io/v1",
    kind: "SeldonDeployment",
    metadata: { name: m.name, namespace: config.deploy.namespace, labels: commonLabels(config, "example") },
    spec: {
      protocol: "v2",
      predictors: [
        {
          name: "default",
          replicas: 1,
          graph: {
            name: m.name,
            implementation: "SKLEARN_SERVER",
            modelUri: storageUri(m),
            logger: { mode: "all", url: `${aggregatorUrl(config)}/` },
          },
        },
      ],
    },
  };
}

/** The models a logger example fits: those served over the Open Inference Protocol. */
export const loggerModels = (config: Config): ModelConfig[] =>
  config.models.filter((m) => m.protocol === "open-inference-v2");
