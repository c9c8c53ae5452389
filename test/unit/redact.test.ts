import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasUserinfo, REDACTED, redactUrl, redactUrls } from "../../src/export/redact.js";

describe("redactUrl", () => {
  it.each([
    ["http://user:pass@model:8080/v2", `http://${REDACTED}@model:8080/v2`],
    ["http://user:p@ss@model:8080/", `http://${REDACTED}@model:8080/`],
    ["https://collector:4317", "https://collector:4317"],
    ["https://u:s3cr%40t@collector:4317", `https://${REDACTED}@collector:4317`],
    [
      "https://bucket.s3.amazonaws.com/ref.parquet?X-Amz-Signature=abc&X-Amz-Credential=AKIA",
      `https://bucket.s3.amazonaws.com/ref.parquet?${REDACTED}`,
    ],
    ["s3://bucket/data/*.parquet", "s3://bucket/data/*.parquet"],
    ["http://host/p#access_token=xyz", `http://host/p#${REDACTED}`],
    ["user:secret@collector:4317", `${REDACTED}@collector:4317`],
    ["collector:4317", "collector:4317"],
    ["http://u:pa/ss@host:1/x", `http://${REDACTED}@host:1/x`],
  ])("%s", (input, out) => {
    expect(redactUrl(input)).toBe(out);
  });
});

describe("redactUrls in free text", () => {
  it("redacts every URL and keeps the rest", () => {
    const text =
      'IO Error: cannot open "https://b.s3.amazonaws.com/x.csv?X-Amz-Signature=SIG123" and http://a:b@h/p, then ok';
    const r = redactUrls(text);
    expect(r).not.toContain("SIG123");
    expect(r).not.toContain("a:b@");
    expect(r).toContain("https://b.s3.amazonaws.com/x.csv?[redacted]");
    expect(r).toContain("then ok");
  });
  it("a JSON log line", () => {
    const line = JSON.stringify({ msg: "agent started", upstream: "http://user:hunter2@m:8080/" });
    expect(redactUrls(line)).not.toContain("hunter2");
    expect(JSON.parse(redactUrls(line)).upstream).toBe(`http://${REDACTED}@m:8080/`);
  });
  it("never leaks a planted password or query value (property)", () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9!$&()*+,;=@:%-]{6,20}$/);
    fc.assert(
      fc.property(secret, secret, fc.constantFrom("http", "https", "s3", "grpc"), (pw, sig, scheme) => {
        const t = `failed: ${scheme}://user:${pw}@host.example:443/path/file.csv?sig=${sig} (x)`;
        const r = redactUrls(t);
        expect(r).not.toContain(`${pw}@`);
        expect(r).not.toContain(`sig=${sig}`);
        expect(r.startsWith("failed: ")).toBe(true);
      }),
    );
  });
  it("text without URLs is unchanged", () => {
    expect(redactUrls("nothing here: a@b")).toBe("nothing here: a@b");
  });
});

it("hasUserinfo", () => {
  expect(hasUserinfo("http://u:p@h/")).toBe(true);
  expect(hasUserinfo("http://h/")).toBe(false);
});
