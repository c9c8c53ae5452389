// Open Inference Protocol binary tensor extension: a JSON header of `Inference-Header-Content-Length`
// bytes, then the raw tensors (little-endian, row-major) in the order of the header's tensors that
// carry `parameters.binary_data_size`. Decoding replaces each such tensor's `data` with numbers.
import type { ParseErrorReason } from "./inferenceEvent.js";

interface Tensor {
  datatype?: unknown;
  data?: unknown;
  parameters?: { binary_data_size?: unknown } | undefined;
}

const WIDTH: Record<string, number> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  FP16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

/**
 * Fill `data` of the binary tensors in `tensors` from `payload` (the bytes after the JSON header).
 * Returns an error reason, or undefined when every tensor decoded.
 */
export function attachBinaryTensors(
  tensors: readonly Tensor[],
  payload: Buffer,
): ParseErrorReason | undefined {
  let pos = 0;
  for (const t of tensors) {
    const size = t.parameters?.binary_data_size;
    if (size === undefined) continue;
    if (typeof size !== "number" || !Number.isInteger(size) || size < 0) return "binary_tensor";
    if (pos + size > payload.length) return "truncated";
    const bytes = payload.subarray(pos, pos + size);
    pos += size;
    const data = decodeTensor(String(t.datatype), bytes);
    if (data === undefined) return "binary_tensor";
    t.data = data;
  }
  return undefined;
}

/** Values of a little-endian tensor; undefined for an unknown datatype or a ragged length. */
export function decodeTensor(datatype: string, b: Buffer): unknown[] | undefined {
  if (datatype === "BYTES") return decodeBytes(b);
  const w = WIDTH[datatype];
  if (w === undefined || b.length % w !== 0) return undefined;
  const n = b.length / w;
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const o = i * w;
    switch (datatype) {
      case "BOOL":
        out[i] = b[o] !== 0;
        break;
      case "UINT8":
        out[i] = b.readUInt8(o);
        break;
      case "INT8":
        out[i] = b.readInt8(o);
        break;
      case "UINT16":
        out[i] = b.readUInt16LE(o);
        break;
      case "INT16":
        out[i] = b.readInt16LE(o);
        break;
      case "FP16":
        out[i] = fp16(b.readUInt16LE(o));
        break;
      case "UINT32":
        out[i] = b.readUInt32LE(o);
        break;
      case "INT32":
        out[i] = b.readInt32LE(o);
        break;
      case "FP32":
        out[i] = b.readFloatLE(o);
        break;
      case "UINT64":
        out[i] = Number(b.readBigUInt64LE(o));
        break;
      case "INT64":
        out[i] = Number(b.readBigInt64LE(o));
        break;
      default:
        out[i] = b.readDoubleLE(o);
    }
  }
  return out;
}

/** BYTES elements: a 4-byte little-endian length, then that many bytes (read as UTF-8). */
function decodeBytes(b: Buffer): unknown[] | undefined {
  const out: unknown[] = [];
  let pos = 0;
  while (pos < b.length) {
    if (pos + 4 > b.length) return undefined;
    const len = b.readUInt32LE(pos);
    pos += 4;
    if (pos + len > b.length) return undefined;
    out.push(b.toString("utf8", pos, pos + len));
    pos += len;
  }
  return out;
}

function fp16(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
