// The web configuration file of a listener (`ingest.web_config_file`, `metrics.web_config_file`):
// Prometheus exporter-toolkit's format, so users reuse the file they already have for their
// exporters — `tls_server_config`, `http_server_config`, `basic_auth_users` (bcrypt hashes) — plus
// two infermon extensions: `bearer_tokens` (name → bcrypt hash of a token, for clients that send
// `Authorization: Bearer`, as Prometheus' `authorization: {credentials_file}` does) and
// `permissions` (name → what that user or token may send to the ingest). Paths are relative to the
// file's directory, as in exporter-toolkit. Unknown keys are errors.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { ConfigError, type ConfigIssue, formatPath } from "../config/errors.js";

/** What a user or token may send to the ingest (a listener without `permissions`: everything). */
export const PERMISSIONS = ["events", "labels", "cloudevents", "predictions"] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** exporter-toolkit's client_auth_type values (Go's tls.ClientAuthType names). */
export const CLIENT_AUTH_TYPES = [
  "NoClientCert",
  "RequestClientCert",
  "RequireAnyClientCert",
  "VerifyClientCertIfGiven",
  "RequireAndVerifyClientCert",
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

const TLS_VERSIONS = { TLS10: "TLSv1", TLS11: "TLSv1.1", TLS12: "TLSv1.2", TLS13: "TLSv1.3" } as const;

/** Go's cipher suite names (crypto/tls) → OpenSSL's, for TLS 1.2 (TLS 1.3 suites are not configurable in Go either). */
const CIPHER_SUITES: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: "ECDHE-ECDSA-AES128-GCM-SHA256",
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: "ECDHE-RSA-AES128-GCM-SHA256",
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: "ECDHE-ECDSA-AES256-GCM-SHA384",
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: "ECDHE-RSA-AES256-GCM-SHA384",
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-RSA-CHACHA20-POLY1305",
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: "ECDHE-ECDSA-CHACHA20-POLY1305",
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: "ECDHE-RSA-CHACHA20-POLY1305",
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: "ECDHE-ECDSA-AES128-SHA",
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: "ECDHE-RSA-AES128-SHA",
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: "ECDHE-ECDSA-AES256-SHA",
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: "ECDHE-RSA-AES256-SHA",
  TLS_RSA_WITH_AES_128_GCM_SHA256: "AES128-GCM-SHA256",
  TLS_RSA_WITH_AES_256_GCM_SHA384: "AES256-GCM-SHA384",
  TLS_RSA_WITH_AES_128_CBC_SHA: "AES128-SHA",
  TLS_RSA_WITH_AES_256_CBC_SHA: "AES256-SHA",
};

/** Go's curve names → OpenSSL's. */
const CURVES: Record<string, string> = {
  CurveP256: "prime256v1",
  CurveP384: "secp384r1",
  CurveP521: "secp521r1",
  X25519: "X25519",
};

const BCRYPT = /^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$/;
const bcryptHash = z
  .string()
  .regex(BCRYPT, { message: "must be a bcrypt hash ($2y$10$…, e.g. htpasswd -nBC 10)" });
/** Names become the `source` of what they send (metrics); these are taken by infermon's own sources. */
const RESERVED = new Set(["tap", "cloudevents", "http", "kafka", "forward", "restored", "other"]);
const NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
/** What is wrong with a user or token name, if anything. */
function badName(n: string): string | undefined {
  if (!NAME.test(n)) return "must match [A-Za-z0-9_.@-]{1,64} (it names a metric label value)";
  if (RESERVED.has(n)) return "is reserved (tap, cloudevents, http, kafka, restored, other)";
  return undefined;
}

const spec = z
  .strictObject({
    tls_server_config: z
      .strictObject({
        cert_file: z.string().min(1),
        key_file: z.string().min(1),
        client_auth_type: z.enum(CLIENT_AUTH_TYPES).optional(),
        client_ca_file: z.string().min(1).optional(),
        client_allowed_sans: z.array(z.string().min(1)).optional(),
        min_version: z.enum(Object.keys(TLS_VERSIONS) as [keyof typeof TLS_VERSIONS]).optional(),
        max_version: z.enum(Object.keys(TLS_VERSIONS) as [keyof typeof TLS_VERSIONS]).optional(),
        cipher_suites: z
          .array(z.string().refine((c) => c in CIPHER_SUITES, { message: "unknown cipher suite" }))
          .optional(),
        prefer_server_cipher_suites: z.boolean().optional(),
        curve_preferences: z
          .array(
            z.string().refine((c) => c in CURVES, {
              message: "unknown curve (CurveP256, CurveP384, CurveP521, X25519)",
            }),
          )
          .optional(),
      })
      .superRefine((t, ctx) => {
        const auth = t.client_auth_type;
        if (
          (auth === "VerifyClientCertIfGiven" || auth === "RequireAndVerifyClientCert") &&
          !t.client_ca_file
        )
          ctx.addIssue({
            code: "custom",
            path: ["client_ca_file"],
            message: `required with client_auth_type ${auth}`,
          });
        if (t.client_allowed_sans && !t.client_ca_file)
          ctx.addIssue({ code: "custom", path: ["client_allowed_sans"], message: "needs client_ca_file" });
        const order = Object.keys(TLS_VERSIONS);
        if (t.min_version && t.max_version && order.indexOf(t.max_version) < order.indexOf(t.min_version))
          ctx.addIssue({ code: "custom", path: ["max_version"], message: "must not be below min_version" });
      })
      .optional(),
    http_server_config: z
      .strictObject({
        // infermon serves HTTP/1.1; the key is accepted so an exporter's file reads as it is
        http2: z.boolean().optional(),
        headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string()).optional(),
      })
      .optional(),
    basic_auth_users: z.record(z.string(), bcryptHash).optional(),
    bearer_tokens: z.record(z.string(), bcryptHash).optional(),
    permissions: z.record(z.string(), z.array(z.enum(PERMISSIONS)).min(1)).optional(),
  })
  .superRefine((c, ctx) => {
    const users = Object.keys(c.basic_auth_users ?? {});
    const tokens = Object.keys(c.bearer_tokens ?? {});
    for (const [key, names] of [
      ["basic_auth_users", users],
      ["bearer_tokens", tokens],
    ] as const)
      for (const n of names) {
        const bad = badName(n);
        if (bad) ctx.addIssue({ code: "custom", path: [key, n], message: bad });
      }
    for (const n of users.filter((u) => tokens.includes(u)))
      ctx.addIssue({
        code: "custom",
        path: ["bearer_tokens", n],
        message: "also a basic_auth_users name: names must be unique",
      });
    for (const n of Object.keys(c.permissions ?? {}))
      if (!users.includes(n) && !tokens.includes(n))
        ctx.addIssue({
          code: "custom",
          path: ["permissions", n],
          message: "names no user of basic_auth_users or bearer_tokens",
        });
  });

export interface TlsServerConfig {
  certFile: string;
  keyFile: string;
  clientAuth: ClientAuthType;
  clientCaFile?: string;
  clientAllowedSans?: string[];
  minVersion: (typeof TLS_VERSIONS)[keyof typeof TLS_VERSIONS];
  maxVersion?: (typeof TLS_VERSIONS)[keyof typeof TLS_VERSIONS];
  /** OpenSSL cipher list (TLS 1.2) */
  ciphers?: string;
  honorCipherOrder?: boolean;
  /** OpenSSL curve list */
  ecdhCurve?: string;
}

export interface WebConfig {
  /** absolute path of the file */
  file: string;
  tls?: TlsServerConfig;
  /** name → bcrypt hash */
  users: ReadonlyMap<string, string>;
  /** name → bcrypt hash of the token */
  tokens: ReadonlyMap<string, string>;
  /** name → what it may send; undefined: everyone authenticated may send everything */
  permissions?: ReadonlyMap<string, ReadonlySet<Permission>>;
  /** response headers (http_server_config.headers) */
  headers: [string, string][];
}

/** Whether requests must carry credentials (users or tokens are configured). */
export function requiresCredentials(c: WebConfig | undefined): boolean {
  return c !== undefined && (c.users.size > 0 || c.tokens.size > 0);
}

/** Whether a client is authenticated by something (credentials, or a verified client certificate). */
export function authenticates(c: WebConfig | undefined): boolean {
  const auth = c?.tls?.clientAuth;
  return requiresCredentials(c) || auth === "RequireAndVerifyClientCert";
}

/** Read and check a web config file; throws ConfigError naming `key` (e.g. ingest.web_config_file). */
export function loadWebConfig(path: string, key: string): WebConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [
      {
        path: key,
        message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      },
    ]);
  }
  return parseWebConfig(text, file, key);
}

export function parseWebConfig(text: string, file: string, key = "web_config_file"): WebConfig {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new ConfigError(file, [
      { path: key, message: `not YAML: ${doc.errors[0]?.message.split("\n")[0]}` },
    ]);
  const r = spec.safeParse(doc.toJS() ?? {});
  if (!r.success) {
    const issues: ConfigIssue[] = r.error.issues.flatMap((i) =>
      i.code === "unrecognized_keys"
        ? i.keys.map((k) => ({ path: `${key}: ${formatPath([...i.path, k])}`, message: "unknown key" }))
        : // never echo a value: a field of this file may be a secret
          [{ path: `${key}: ${formatPath(i.path)}`, message: i.message }],
    );
    throw new ConfigError(file, issues);
  }
  const c = r.data;
  const dir = dirname(file);
  const t = c.tls_server_config;
  const out: WebConfig = {
    file,
    users: new Map(Object.entries(c.basic_auth_users ?? {})),
    tokens: new Map(Object.entries(c.bearer_tokens ?? {})),
    headers: Object.entries(c.http_server_config?.headers ?? {}),
  };
  if (c.permissions)
    out.permissions = new Map(Object.entries(c.permissions).map(([n, p]) => [n, new Set(p)]));
  if (t) {
    out.tls = {
      certFile: resolve(dir, t.cert_file),
      keyFile: resolve(dir, t.key_file),
      // as exporter-toolkit: a client CA without an auth type means clients must present a cert it signed
      clientAuth: t.client_auth_type ?? (t.client_ca_file ? "RequireAndVerifyClientCert" : "NoClientCert"),
      minVersion: TLS_VERSIONS[t.min_version ?? "TLS12"],
      ...(t.client_ca_file && { clientCaFile: resolve(dir, t.client_ca_file) }),
      ...(t.client_allowed_sans && { clientAllowedSans: t.client_allowed_sans }),
      ...(t.max_version && { maxVersion: TLS_VERSIONS[t.max_version] }),
      ...(t.cipher_suites && { ciphers: t.cipher_suites.map((s) => CIPHER_SUITES[s]).join(":") }),
      ...(t.prefer_server_cipher_suites !== undefined && { honorCipherOrder: t.prefer_server_cipher_suites }),
      ...(t.curve_preferences && { ecdhCurve: t.curve_preferences.map((s) => CURVES[s]).join(":") }),
    };
  }
  return out;
}
