// OpenAI-style chat completions (`openai-chat`): no feature drift; token usage and finish reasons
// from the JSON response or from a server-sent-event stream (usage from the final chunk, when the
// client asked for it with stream_options.include_usage).
import type { ModelConfig } from "../config/model.js";
import { finiteNumber } from "../stats/finiteNumber.js";
import { type DecodeResult, type Exchange, type ProtocolAdapter, parseError } from "./inferenceEvent.js";
import { isObject, readJson } from "./jsonBody.js";

export function openaiChat(model: ModelConfig): ProtocolAdapter {
  return {
    decode(x: Exchange): DecodeResult {
      if (!x.response) return parseError("missing_body");
      const text = x.response.toString("utf8");
      const chunks = text.trimStart().startsWith("data:") ? sseChunks(text) : undefined;
      const bodies: unknown[] = [];
      if (chunks) {
        for (const c of chunks) {
          const r = readJson(Buffer.from(c));
          if (!r.ok) return parseError(r.reason);
          bodies.push(r.value);
        }
      } else {
        const r = readJson(x.response);
        if (!r.ok) return parseError(r.reason);
        bodies.push(r.value);
      }
      let promptTokens = 0;
      let completionTokens = 0;
      const finishReasons: string[] = [];
      for (const b of bodies) {
        if (!isObject(b)) return parseError("wrong_shape");
        if (isObject(b.usage)) {
          // the shared finite-number rule: `1e309` tokens must not turn a counter into +Inf forever
          promptTokens = tokens(b.usage.prompt_tokens) ?? promptTokens;
          completionTokens = tokens(b.usage.completion_tokens) ?? completionTokens;
        }
        if (Array.isArray(b.choices))
          for (const c of b.choices)
            if (isObject(c) && typeof c.finish_reason === "string") finishReasons.push(c.finish_reason);
      }
      return { kind: "llm", usage: { model: model.name, promptTokens, completionTokens, finishReasons } };
    },
  };
}

/** A token count: a finite, non-negative number (JSON numbers only), else undefined. */
function tokens(x: unknown): number | undefined {
  const n = typeof x === "number" ? finiteNumber(x) : undefined;
  return n !== undefined && n >= 0 ? n : undefined;
}

/** The JSON payloads of `data:` lines, without the closing `[DONE]`. */
function sseChunks(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const l = line.trim();
    if (!l.startsWith("data:")) continue;
    const payload = l.slice(5).trim();
    if (payload !== "[DONE]" && payload !== "") out.push(payload);
  }
  return out;
}
