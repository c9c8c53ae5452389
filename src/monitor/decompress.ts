// Decompressing the COPY of a content-encoded body, off the request path. The output is bounded as
// it is produced, so a small body that inflates to gigabytes (a zip bomb) stops at the limit instead
// of filling memory. Two ways, both bounded:
// - inflateSync, for the usual small body: zlib's one-shot call in the analysis pass (so it is
//   charged to the analysis budget), capped low (SYNC_MAX_BYTES) so it never holds the loop long;
// - inflate, for what is larger: node:zlib streams on libuv's thread pool.
// Measured (bench/proxy/analysisCost.mjs): a 1 KB OIP body gzip'd costs ~16 µs one-shot and ~40 µs
// of main thread through a stream (the stream machinery, not the inflating, dominates).
import type { Transform } from "node:stream";
import {
  brotliDecompressSync,
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createInflateRaw,
  gunzipSync,
  inflateRawSync,
  inflateSync as zlibInflateSync,
} from "node:zlib";

export type Inflated =
  | { ok: true; body: Buffer }
  | { ok: false; reason: "too_large" | "corrupt" | "unsupported" };

/** The codings this agent reads (Content-Encoding values, lower-case). */
const CODINGS = new Set(["gzip", "x-gzip", "deflate", "br", "identity"]);

/** The codings of a Content-Encoding value in the order they were applied; undefined for identity. */
export function codingsOf(header: string | undefined): string[] | undefined {
  if (header === undefined) return undefined;
  const list = header
    .toLowerCase()
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "" && c !== "identity");
  return list.length > 0 ? list : undefined;
}

/** Whether every coding in the list can be undone here. */
export function readable(codings: readonly string[]): boolean {
  return codings.every((c) => CODINGS.has(c));
}

/** Undo `codings` (applied in that order, so undone last first), at most `maxBytes` of output. */
export async function inflate(body: Buffer, codings: readonly string[], maxBytes: number): Promise<Inflated> {
  if (!readable(codings)) return { ok: false, reason: "unsupported" };
  let out = body;
  for (let i = codings.length - 1; i >= 0; i--) {
    if (codings[i] === "identity") continue;
    const r = await inflateOne(out, codings[i] as string, maxBytes);
    if (!r.ok) return r;
    out = r.body;
  }
  return { ok: true, body: out };
}

/** Output the one-shot path may produce; larger bodies go to the streaming path (~100 µs at most). */
export const SYNC_MAX_BYTES = 64 * 1024;

/** Undo `codings` at once, at most `maxBytes` of output (keep it ≤ SYNC_MAX_BYTES: this blocks). */
export function inflateSync(body: Buffer, codings: readonly string[], maxBytes: number): Inflated {
  if (!readable(codings)) return { ok: false, reason: "unsupported" };
  let out = body;
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i] as string;
    const opts = { maxOutputLength: Math.max(1, maxBytes) };
    try {
      if (coding === "identity") continue;
      if (coding === "br") out = brotliDecompressSync(out, opts);
      else if (coding === "deflate")
        out = isZlibHeader(out) ? zlibInflateSync(out, opts) : inflateRawSync(out, opts);
      else out = gunzipSync(out, opts);
    } catch (err) {
      const code = (err as { code?: string }).code;
      return { ok: false, reason: code === "ERR_BUFFER_TOO_LARGE" ? "too_large" : "corrupt" };
    }
    if (out.length > maxBytes) return { ok: false, reason: "too_large" };
  }
  return { ok: true, body: out };
}

function decoder(coding: string, body: Buffer): Transform {
  switch (coding) {
    case "br":
      return createBrotliDecompress();
    case "deflate":
      // HTTP's deflate is zlib-wrapped (RFC 9110), but some servers send raw deflate: tell by the
      // zlib header (CM = 8 and a header checksum divisible by 31)
      return isZlibHeader(body) ? createInflate() : createInflateRaw();
    default:
      return createGunzip();
  }
}

function isZlibHeader(b: Buffer): boolean {
  if (b.length < 2) return false;
  const cmf = b[0] as number;
  const flg = b[1] as number;
  return (cmf & 0x0f) === 8 && (cmf * 256 + flg) % 31 === 0;
}

function inflateOne(body: Buffer, coding: string, maxBytes: number): Promise<Inflated> {
  return new Promise((resolve) => {
    const z = decoder(coding, body);
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const settle = (r: Inflated) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    z.on("data", (c: Buffer) => {
      bytes += c.length;
      if (bytes > maxBytes) {
        chunks.length = 0;
        z.destroy(); // stop inflating: nothing past the limit is produced
        settle({ ok: false, reason: "too_large" });
      } else chunks.push(c);
    });
    z.once("error", () => settle({ ok: false, reason: "corrupt" }));
    z.once("end", () =>
      settle({ ok: true, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) }),
    );
    z.end(body);
  });
}
