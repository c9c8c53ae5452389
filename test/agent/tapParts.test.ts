// The tap's pure parts: header rules, the route table, body copies, the bounded queue, pairing.
import { describe, expect, it } from "vitest";
import { Pairing } from "../../src/ingest/pairing.js";
import { AnalysisQueue } from "../../src/monitor/analysisQueue.js";
import { BodyCopy } from "../../src/tap/bodyCopy.js";
import { clientResponseHeaders, upstreamRequestHeaders } from "../../src/tap/hopByHop.js";
import { RouteTable } from "../../src/tap/routeTable.js";

describe("hop-by-hop headers", () => {
  it("drops RFC 9110 hop-by-hop fields and those Connection lists; adds x-forwarded-*", () => {
    const out = upstreamRequestHeaders(
      [
        "Host",
        "svc:8080",
        "Connection",
        "keep-alive, X-Secret",
        "X-Secret",
        "1",
        "Keep-Alive",
        "timeout=5",
        "TE",
        "trailers",
        "Transfer-Encoding",
        "chunked",
        "Upgrade",
        "h2c",
        "Proxy-Connection",
        "x",
        "Expect",
        "100-continue",
        "traceparent",
        "00-abc-def-01",
        "X-Forwarded-For",
        "10.0.0.1",
      ],
      { clientIp: "10.0.0.2", proto: "http" },
    );
    expect(out.chunked).toBe(true);
    expect(out.requestId).toBeUndefined();
    expect(out.headers).toEqual([
      "Host",
      "svc:8080",
      "traceparent",
      "00-abc-def-01",
      "x-forwarded-for",
      "10.0.0.1, 10.0.0.2",
      "x-forwarded-proto",
      "http",
      "x-forwarded-host",
      "svc:8080",
    ]);
  });

  it("reads the request facts the tap needs from the same pass", () => {
    const out = upstreamRequestHeaders(
      [
        "X-Request-ID",
        "",
        "x-request-id",
        "req-7",
        "Content-Length",
        "120",
        "Content-Encoding",
        "gzip",
        "Inference-Header-Content-Length",
        "80",
      ],
      { clientIp: undefined, proto: "http" },
    );
    expect(out).toMatchObject({
      requestId: "req-7",
      contentLength: 120,
      chunked: false,
      contentEncoded: true,
      jsonLength: 80,
    });
    expect(out.headers.slice(-4)).toEqual(["x-forwarded-for", "unknown", "x-forwarded-proto", "http"]);
  });

  it("knows the body's length and encoding even when Connection lists those fields", () => {
    const out = upstreamRequestHeaders(
      ["Connection", "content-length, content-encoding", "Content-Length", "12", "Content-Encoding", "gzip"],
      { clientIp: "10.0.0.2", proto: "http" },
    );
    expect(out).toMatchObject({ contentLength: 12, contentEncoded: true });
    expect(out.headers).not.toContain("Content-Length");
  });

  it("keeps response headers as sent except hop-by-hop, and reads what analysis needs", () => {
    const f = clientResponseHeaders(
      [
        "Content-Type",
        "application/json",
        "Transfer-Encoding",
        "chunked",
        "Set-Cookie",
        "a",
        "Set-Cookie",
        "b",
        "Content-Encoding",
        "gzip",
        "Inference-Header-Content-Length",
        "42",
        "X-Request-Id",
        "u",
      ].map((s) => Buffer.from(s, "latin1")),
    );
    expect(f.headers).toEqual([
      "Content-Type",
      "application/json",
      "Set-Cookie",
      "a",
      "Set-Cookie",
      "b",
      "Content-Encoding",
      "gzip",
      "Inference-Header-Content-Length",
      "42",
      "X-Request-Id",
      "u",
    ]);
    expect(f.contentEncoded).toBe(true);
    expect(f.jsonLength).toBe(42);
    expect(f.hasRequestId).toBe(true);
  });
});

describe("route table", () => {
  const t = new RouteTable([
    { name: "a", route: "/v2/models/credit" },
    { name: "b", route: "/v2/models/credit-eu" },
    { name: "c", route: "/v1/models/house" },
  ]);
  it("matches POSTs under a route at a path boundary, longest first", () => {
    expect(t.match("POST", "/v2/models/credit/infer")?.name).toBe("a");
    expect(t.match("POST", "/v2/models/credit/versions/3/infer")?.name).toBe("a");
    expect(t.match("POST", "/v2/models/credit-eu/infer")?.name).toBe("b");
    expect(t.match("POST", "/v1/models/house:predict")?.name).toBe("c");
    expect(t.match("POST", "/v2/models/creditx/infer")).toBeUndefined();
    expect(t.match("GET", "/v2/models/credit/ready")).toBeUndefined();
    expect(t.match("POST", "/v2/health/live")).toBeUndefined();
  });
});

describe("body copy", () => {
  it("copies up to the limit and abandons bigger bodies", () => {
    const c = new BodyCopy(5);
    c.add(Buffer.from("ab"));
    c.add(Buffer.from("cde"));
    expect(c.take()?.toString()).toBe("abcde");
    const d = new BodyCopy(5);
    d.add(Buffer.from("abc"));
    d.add(Buffer.from("def"));
    expect(d.take()).toBeUndefined();
  });
});

describe("analysis queue", () => {
  it("never holds more than its capacity and consumes in order", async () => {
    const seen: number[] = [];
    const q = new AnalysisQueue<number>(3, (n) => seen.push(n));
    q.pause();
    expect([1, 2, 3, 4].map((n) => q.offer(n))).toEqual([true, true, true, false]);
    expect(q.depth).toBe(3);
    q.resume();
    await q.idle();
    expect(seen).toEqual([1, 2, 3]);
    expect(q.offer(5)).toBe(true);
    await q.idle();
    expect(seen).toEqual([1, 2, 3, 5]);
  });
  it("survives a throwing consumer and reports it", async () => {
    const errors: unknown[] = [];
    const q = new AnalysisQueue<number>(
      10,
      (n) => {
        if (n === 2) throw new Error("boom");
      },
      (e) => errors.push(e),
    );
    for (const n of [1, 2, 3]) q.offer(n);
    await q.idle();
    expect(errors).toHaveLength(1);
  });
});

describe("pairing", () => {
  it("pairs halves by id in either order, expires and evicts the rest", () => {
    let unpaired = 0;
    const p = new Pairing<string>(1000, 2, {
      unpaired: (n) => {
        unpaired += n;
      },
      conflict: () => {},
    });
    const half = (t: number) => ({ model: "m", body: Buffer.from("x"), time: t });
    expect(p.add("1", "response", half(0))).toBeUndefined();
    const pair = p.add("1", "request", half(1));
    expect(pair?.request.time).toBe(1);
    expect(pair?.response.time).toBe(0);
    p.add("2", "request", half(10));
    p.add("3", "request", half(20));
    p.add("4", "request", half(30)); // evicts 2
    expect(unpaired).toBe(1);
    expect(p.expire(1025)).toBe(1); // 3 expired
    expect(unpaired).toBe(2);
    expect(p.size).toBe(1);
  });

  it("never pairs halves naming different models; a half without a model pairs within its source", () => {
    let unpaired = 0;
    let conflicts = 0;
    const p = new Pairing<string>(1000, 100, {
      unpaired: (n) => {
        unpaired += n;
      },
      conflict: () => {
        conflicts++;
      },
    });
    const half = (model: string | undefined, source = "s", t = 0) => ({
      model,
      source,
      body: Buffer.from(model ?? "-"),
      time: t,
    });
    expect(p.add("7", "request", half("house"))).toBeUndefined();
    expect(p.add("7", "response", half("credit"))).toBeUndefined(); // same id, other model
    expect(conflicts).toBe(1);
    expect(p.size).toBe(2);
    const credit = p.add("7", "request", half("credit"));
    expect(credit?.request.body.toString()).toBe("credit");
    expect(credit?.response.body.toString()).toBe("credit");
    const house = p.add("7", "response", half("house"));
    expect(house?.request.body.toString()).toBe("house");
    expect(p.size).toBe(0);
    // no model on the request: pairs with a response from the same source, not from another one
    p.add("8", "request", half(undefined, "a"));
    expect(p.add("8", "response", half("credit", "b"))).toBeUndefined();
    expect(p.add("8", "response", half("credit", "a"))?.model).toBe("credit");
    expect(unpaired).toBe(0);
  });
});

describe("metrics", () => {
  it("builds without regression models (default value buckets) and with them", async () => {
    const { AgentMetrics } = await import("../../src/export/metrics.js");
    for (const valueBuckets of [undefined, [], [1, 10, 100]]) {
      const m = new AgentMetrics({ version: "t", valueBuckets, processMetrics: false });
      m.predictionValue.observe({ model: "m", model_version: "1" }, 5);
      expect(await m.registry.metrics()).toMatch(/infermon_prediction_value_bucket\{[^}]*le="\+Inf"\} 1/);
    }
  });
});

describe("bound metric families", () => {
  it("expose cumulative le buckets, sum and count, and counters, like prom-client", async () => {
    const { Registry } = await import("prom-client");
    const { BoundCounter, BoundHistogram } = await import("../../src/export/boundMetrics.js");
    const registry = new Registry();
    const h = new BoundHistogram("t_hist", "h", ["m"], [3, 1, 2], registry);
    const c = new BoundCounter("t_total", "c", ["m"], registry);
    const child = h.labels({ m: "a" });
    for (const v of [0.5, 1, 2.5, 10]) child.observe(v);
    c.labels({ m: "a" }).inc();
    c.inc({ m: "a" }, 2);
    const text = await registry.metrics();
    expect(text).toContain('t_hist_bucket{m="a",le="1"} 2');
    expect(text).toContain('t_hist_bucket{m="a",le="2"} 2');
    expect(text).toContain('t_hist_bucket{m="a",le="3"} 3');
    expect(text).toContain('t_hist_bucket{m="a",le="+Inf"} 4');
    expect(text).toContain('t_hist_sum{m="a"} 14');
    expect(text).toContain('t_hist_count{m="a"} 4');
    expect(text).toContain('t_total{m="a"} 3');
    expect(text).toContain("# TYPE t_hist histogram");
  });
});
