import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { Authenticator, parseAuthorization } from "../../src/auth/authenticator.js";
import type { BcryptVerifier } from "../../src/auth/bcryptVerifier.js";
import { authenticates, parseWebConfig } from "../../src/auth/webConfig.js";
import { ConfigError } from "../../src/config/errors.js";

const HASH = bcrypt.hashSync("pw", 4);

function issues(text: string): string[] {
  try {
    parseWebConfig(text, "/etc/web.yaml", "ingest.web_config_file");
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe("web config (exporter-toolkit format)", () => {
  it("reads an exporter's file as it is, paths relative to it", () => {
    const c = parseWebConfig(
      `tls_server_config:\n  cert_file: tls.crt\n  key_file: /abs/tls.key\n  client_ca_file: ca.crt\n  min_version: TLS13\n  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n  curve_preferences: [X25519, CurveP256]\nhttp_server_config:\n  http2: true\n  headers: {X-Frame-Options: deny}\nbasic_auth_users:\n  alice: ${HASH}\n`,
      "/etc/infermon/web.yaml",
    );
    expect(c.tls).toMatchObject({
      certFile: "/etc/infermon/tls.crt",
      keyFile: "/abs/tls.key",
      clientCaFile: "/etc/infermon/ca.crt",
      // a client CA without client_auth_type: certificates are required and verified (exporter-toolkit)
      clientAuth: "RequireAndVerifyClientCert",
      minVersion: "TLSv1.3",
      ciphers: "ECDHE-RSA-AES128-GCM-SHA256",
      ecdhCurve: "X25519:prime256v1",
    });
    expect(c.users.get("alice")).toBe(HASH);
    expect(c.headers).toEqual([["X-Frame-Options", "deny"]]);
    expect(authenticates(c)).toBe(true);
  });

  it("names every bad key and never echoes a value", () => {
    const out = issues(
      "basic_auth_users:\n  bob: plaintext-secret\nbearer_tokens:\n  kafka: x\npermissions:\n  carol: [labels]\nextra: 1\ntls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n",
    );
    expect(out).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ingest\.web_config_file: basic_auth_users\.bob: must be a bcrypt hash/),
        expect.stringMatching(/^ingest\.web_config_file: bearer_tokens\.kafka: is reserved/),
        expect.stringMatching(/^ingest\.web_config_file: permissions\.carol: names no user/),
        "ingest.web_config_file: extra: unknown key",
        expect.stringMatching(/tls_server_config\.client_ca_file: required with client_auth_type/),
      ]),
    );
    expect(out.join("\n")).not.toContain("plaintext-secret");
  });
});

describe("Authenticator", () => {
  const config = parseWebConfig(
    `basic_auth_users:\n  alice: ${HASH}\nbearer_tokens:\n  job: ${bcrypt.hashSync("tok", 4)}\npermissions:\n  job: [labels]\n`,
    "/w.yaml",
  );
  function counting() {
    let calls = 0;
    const v = {
      verify: async (p: string, h: string) => {
        calls++;
        return bcrypt.compareSync(p, h);
      },
    } as unknown as BcryptVerifier;
    return { v, calls: () => calls };
  }
  const b = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;

  it("checks a credential with bcrypt once, then from its cache (right and wrong alike)", async () => {
    const { v, calls } = counting();
    const a = new Authenticator(config, v);
    expect(await a.check(b("alice", "pw"))).toEqual({
      ok: true,
      principal: { name: "alice", permissions: undefined },
    });
    for (let i = 0; i < 100; i++) expect(a.check(b("alice", "pw"))).toMatchObject({ ok: true });
    expect(await a.check(b("alice", "nope"))).toEqual({ ok: false });
    for (let i = 0; i < 100; i++) expect(a.check(b("alice", "nope"))).toEqual({ ok: false });
    expect(calls()).toBe(2);
    // a bearer token names its principal and its permissions
    const t = await a.check("Bearer tok");
    expect(t.ok && t.principal?.name).toBe("job");
    expect(t.ok && [...(t.principal?.permissions ?? [])]).toEqual(["labels"]);
    // unknown users cost no bcrypt; no header, other schemes: refused
    expect(await a.check(b("mallory", "pw"))).toEqual({ ok: false });
    expect(a.check(undefined)).toEqual({ ok: false });
    expect(a.check("Digest x")).toEqual({ ok: false });
    expect(calls()).toBe(3);
  });

  it("without users or tokens, everyone passes (no principal)", () => {
    const { v } = counting();
    expect(new Authenticator(undefined, v).check(undefined)).toEqual({ ok: true, principal: undefined });
  });

  it("parses Authorization like a Prometheus HTTP client sends it", () => {
    expect(parseAuthorization(`Basic ${Buffer.from("u:p:q").toString("base64")}`)).toEqual({
      kind: "basic",
      user: "u",
      secret: "p:q",
    });
    expect(parseAuthorization("bearer abc")).toEqual({ kind: "bearer", user: "", secret: "abc" });
  });
});
