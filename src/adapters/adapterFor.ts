// The adapter of a model's protocol, chosen once when the agent starts.
import type { ModelConfig } from "../config/model.js";
import type { ProtocolAdapter } from "./inferenceEvent.js";
import { jsonPaths } from "./jsonPaths.js";
import { openaiChat } from "./openaiChat.js";
import { openInferenceV2 } from "./openInferenceV2.js";
import { tfServing } from "./tfServing.js";

export function adapterFor(model: ModelConfig): ProtocolAdapter {
  switch (model.protocol) {
    case "open-inference-v2":
      return openInferenceV2(model);
    case "tf-serving":
      return tfServing(model);
    case "json":
      return jsonPaths(model);
    case "openai-chat":
      return openaiChat(model);
  }
}
