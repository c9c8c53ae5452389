// Reading a CloudEvent from an HTTP request in binary mode (ce-* headers, the body is the data) or
// structured mode (application/cloudevents+json). Only what the agent needs is kept.
import type { IncomingHttpHeaders } from "node:http";

export interface CloudEvent {
  id: string;
  type: string;
  source: string;
  /** extension attributes (lower-case names without the ce- prefix), e.g. inferenceservicename */
  extensions: Record<string, string>;
  data: Buffer;
  dataContentType: string | undefined;
  /** Inference-Header-Content-Length of the logged payload, when forwarded */
  jsonLength?: number | undefined;
}

export type CloudEventRead =
  | { ok: true; event: CloudEvent }
  | { ok: false; reason: "not_cloudevent" | "malformed_json" };

const CORE = new Set([
  "id",
  "type",
  "source",
  "specversion",
  "datacontenttype",
  "data",
  "data_base64",
  "time",
  "subject",
  "dataschema",
]);

export function readCloudEvent(headers: IncomingHttpHeaders, body: Buffer): CloudEventRead {
  const ct = headers["content-type"] ?? "";
  if (ct.startsWith("application/cloudevents+json")) return structured(body);
  const id = headers["ce-id"];
  const type = headers["ce-type"];
  if (typeof id !== "string" || typeof type !== "string") return { ok: false, reason: "not_cloudevent" };
  const extensions: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.startsWith("ce-") && typeof v === "string") {
      const name = k.slice(3);
      if (!CORE.has(name)) extensions[name] = v;
    }
  }
  const ihcl = headers["inference-header-content-length"];
  const jsonLength = typeof ihcl === "string" && /^\d+$/.test(ihcl) ? Number(ihcl) : undefined;
  return {
    ok: true,
    event: {
      id,
      type,
      source: typeof headers["ce-source"] === "string" ? headers["ce-source"] : "",
      extensions,
      data: body,
      dataContentType: ct || undefined,
      jsonLength,
    },
  };
}

function structured(body: Buffer): CloudEventRead {
  let x: unknown;
  try {
    x = JSON.parse(body.toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed_json" };
  }
  if (typeof x !== "object" || x === null) return { ok: false, reason: "not_cloudevent" };
  const o = x as Record<string, unknown>;
  if (typeof o.id !== "string" || typeof o.type !== "string") return { ok: false, reason: "not_cloudevent" };
  const extensions: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (!CORE.has(k) && typeof v === "string") extensions[k] = v;
  let data: Buffer;
  if (typeof o.data_base64 === "string") data = Buffer.from(o.data_base64, "base64");
  else if (typeof o.data === "string") data = Buffer.from(o.data, "utf8");
  else data = Buffer.from(JSON.stringify(o.data ?? null), "utf8");
  return {
    ok: true,
    event: {
      id: o.id,
      type: o.type,
      source: typeof o.source === "string" ? o.source : "",
      extensions,
      data,
      dataContentType: typeof o.datacontenttype === "string" ? o.datacontenttype : undefined,
    },
  };
}

/** Request or response half of a payload-logger event, by its type; undefined for other types. */
export function halfOf(type: string): "request" | "response" | undefined {
  switch (type) {
    case "org.kubeflow.serving.inference.request":
    case "io.seldon.serving.inference.request":
      return "request";
    case "org.kubeflow.serving.inference.response":
    case "io.seldon.serving.inference.response":
      return "response";
    default:
      return undefined;
  }
}

/**
 * What links the request and response halves of one call: Seldon Core v1's executor gives them
 * different ce-ids and the same ce-requestid (its Seldon-Puid); KServe gives them one ce-id.
 */
export function pairId(e: CloudEvent): string {
  return e.extensions.requestid ?? e.id;
}

/** The model an event belongs to, from the logger's extension attributes. */
export function modelHint(e: CloudEvent): string | undefined {
  const x = e.extensions;
  return x.inferenceservicename ?? x.modelid ?? x.model ?? x.modelname;
}
