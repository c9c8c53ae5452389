// Which requests the tap analyses: POSTs under a model's `route` prefix. Built once at startup,
// longest prefix first; everything else (kubelet probes, metadata, other routes) is only proxied.

export interface RouteTarget {
  readonly name: string;
  readonly route: string;
}

export class RouteTable<T extends RouteTarget> {
  private readonly entries: T[];

  constructor(targets: readonly T[]) {
    this.entries = [...targets].sort((a, b) => b.route.length - a.route.length);
  }

  /** The model whose inference route `url` is under, for a POST; undefined otherwise. */
  match(method: string | undefined, url: string | undefined): T | undefined {
    if (method !== "POST" || url === undefined) return undefined;
    for (const t of this.entries) {
      const r = t.route;
      if (!url.startsWith(r)) continue;
      // a prefix at a path boundary: /v2/models/credit matches …/credit/infer and …/credit:predict,
      // not /v2/models/creditx
      const next = url.charCodeAt(r.length);
      if (Number.isNaN(next) || next === 0x2f || next === 0x3a || next === 0x3f || r.endsWith("/")) return t;
    }
    return undefined;
  }
}
