// Decompressing the COPY of a content-encoded body, off the request path: node:zlib streams run on
// libuv's thread pool, and the output is bounded by max_body_bytes as it is produced, so a small
// body that inflates to gigabytes (a zip bomb) stops at the limit instead of filling memory.

import type { Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from "node:zlib";

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
    const r = await inflateOne(out, codings[i] as string, maxBytes);
    if (!r.ok) return r;
    out = r.body;
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
