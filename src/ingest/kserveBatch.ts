// KServe's agent (v0.20+) batches its payload logs for blob storage (`--log-url s3://…`,
// `--log-batch-size`) and POSTs each batch to a marshaller (`--log-marshaller-url`) as a JSON array
// of its LogRequest records (`pkg/logger/types.go`: `bytes` base64, `reqType` the CloudEvent type,
// `id` the request id, `inferenceService`). Pointed at infermon's ingest
// (`POST /v1/kserve/marshal`), every record is analysed like the CloudEvent it would have been, and
// the answer is what KServe's own JSON marshaller returns for the batch (the records as sent; one
// record alone as an object), so the blob store still gets its files.
import { isObject } from "../adapters/jsonBody.js";
import type { Slice } from "../monitor/loopSlicer.js";
import { readArray } from "./jsonItems.js";

export const KSERVE_MARSHAL_PATH = "/v1/kserve/marshal";

export interface LogRecord {
  type: string;
  id: string;
  /** the InferenceService name (the model hint), when given */
  inferenceService: string | undefined;
  source: string | undefined;
  data: Buffer;
}

export type BatchRead =
  | { ok: true; records: (LogRecord | undefined)[]; marshalled: Buffer }
  | { ok: false; reason: "malformed_json" | "wrong_shape" };

/**
 * The batch's records (undefined for an item that is not a LogRequest) and the marshalled answer;
 * read in slices of the loop (a batch may be 16 MiB).
 */
export async function readLogBatch(body: Buffer, slice: Slice): Promise<BatchRead> {
  const x = await readArray(body, slice);
  if (!Array.isArray(x)) return { ok: false, reason: x };
  const records: (LogRecord | undefined)[] = [];
  for (const item of x) {
    records.push(toRecord(item)); // a base64 decode each
    if (slice.due()) await slice.turn();
  }
  // KServe's JSON marshaller: json.Marshal(batch[0]) for one record, json.Marshal(batch) otherwise;
  // its HTTP client sent json.Marshal(batch), so the answer is the body (minus the brackets for one)
  const text = body.toString("utf8").trim();
  const marshalled =
    x.length !== 1
      ? Buffer.from(text)
      : Buffer.from(isCompactSingle(text) ? text.slice(1, -1) : JSON.stringify(x[0]));
  return { ok: true, records, marshalled };
}

/** `[{…}]` as Go writes it: the object is the text between the brackets. */
function isCompactSingle(text: string): boolean {
  return text.startsWith("[{") && text.endsWith("}]");
}

function toRecord(x: unknown): LogRecord | undefined {
  if (!isObject(x) || typeof x.reqType !== "string" || typeof x.id !== "string") return undefined;
  const bytes = typeof x.bytes === "string" ? Buffer.from(x.bytes, "base64") : Buffer.alloc(0);
  return {
    type: x.reqType,
    id: x.id,
    inferenceService:
      typeof x.inferenceService === "string" && x.inferenceService !== "" ? x.inferenceService : undefined,
    source: typeof x.sourceUri === "string" ? x.sourceUri : undefined,
    data: bytes,
  };
}
