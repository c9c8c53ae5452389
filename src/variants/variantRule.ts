// Which A/B variant a request belongs to, read from the request the tap sees (models[].variants):
//   header  the value of header `key`
//   cookie  the value of cookie `key`
//   route   the first capturing group of the regular expression `key` on the request path
//   hash    names[fnv1a(value of header `key`) mod names.length]: for routers that split users by
//           a hash of an id, so the agent can name the variant a request went to without a header
// A value that is not a configured name, or none, is `other` (ADR 0011: labels bounded by config).
import type { IncomingHttpHeaders } from "node:http";
import type { VariantsConfig } from "../config/model.js";
import { VariantNames } from "./variantNames.js";

export interface RequestFacts {
  headers: IncomingHttpHeaders;
  /** the request target: path and query */
  url?: string | undefined;
}

export type VariantRule = (req: RequestFacts) => string;

/** FNV-1a, 32 bits, over the UTF-16 code units of `s` (ASCII ids: their bytes). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The value of cookie `name` in a Cookie header (`a=1; b=2`), undecoded. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
    }
  }
  return undefined;
}

export function variantRule(config: VariantsConfig): VariantRule {
  const names = new VariantNames(config);
  const key = config.key;
  switch (config.by) {
    case "header":
      return (req) => names.labelOf(first(req.headers[key])?.trim());
    case "cookie":
      return (req) => names.labelOf(cookieValue(first(req.headers.cookie), key));
    case "route": {
      const re = new RegExp(key);
      return (req) => {
        const url = req.url ?? "/";
        const q = url.indexOf("?");
        return names.labelOf(re.exec(q < 0 ? url : url.slice(0, q))?.[1]);
      };
    }
    case "hash": {
      const n = config.names.length;
      return (req) => {
        const v = first(req.headers[key]);
        return v === undefined || v === ""
          ? (names.labels[names.other] as string)
          : (config.names[fnv1a(v) % n] as string);
      };
    }
  }
}
