// TLS of a listener from a web config's tls_server_config: the secure-context options Node takes,
// read from the files now (a reload reads them again), and the per-connection checks Go's
// client_auth_type and exporter-toolkit's client_allowed_sans add to what OpenSSL verifies.
import { readFileSync } from "node:fs";
import { createSecureContext, type TLSSocket, type TlsOptions } from "node:tls";
import type { TlsServerConfig } from "./webConfig.js";

/** Options for https.createServer / server.setSecureContext; throws when a file cannot be used. */
export function tlsServerOptions(t: TlsServerConfig): TlsOptions {
  const read = (f: string, what: string): Buffer => {
    try {
      return readFileSync(f);
    } catch (err) {
      throw new Error(
        `cannot read the ${what} ${f}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  };
  const o: TlsOptions = {
    cert: read(t.certFile, "certificate (cert_file)"),
    key: read(t.keyFile, "key (key_file)"),
    minVersion: t.minVersion,
    ...(t.maxVersion && { maxVersion: t.maxVersion }),
    ...(t.clientCaFile && { ca: read(t.clientCaFile, "client CA (client_ca_file)") }),
    ...(t.ciphers && { ciphers: t.ciphers }),
    ...(t.honorCipherOrder !== undefined && { honorCipherOrder: t.honorCipherOrder }),
    ...(t.ecdhCurve && { ecdhCurve: t.ecdhCurve }),
    requestCert: t.clientAuth !== "NoClientCert",
    rejectUnauthorized: t.clientAuth === "RequireAndVerifyClientCert",
  };
  try {
    // loads the key pair now: a key that does not match its certificate fails here, not per handshake
    createSecureContext(o);
  } catch (err) {
    throw new Error(`tls_server_config: ${(err as Error).message}`);
  }
  return o;
}

/** Whether the client certificate of `socket` (if any) satisfies client_auth_type and client_allowed_sans. */
export function clientCertAllowed(socket: TLSSocket, t: TlsServerConfig): boolean {
  const cert = socket.getPeerCertificate();
  const present = cert !== null && Object.keys(cert).length > 0;
  switch (t.clientAuth) {
    case "RequireAnyClientCert":
      if (!present) return false;
      break;
    case "VerifyClientCertIfGiven":
      if (present && !socket.authorized) return false;
      break;
    case "RequireAndVerifyClientCert":
      if (!present || !socket.authorized) return false;
      break;
  }
  const allowed = t.clientAllowedSans;
  if (!allowed || allowed.length === 0) return true;
  if (!present) return false;
  // "DNS:a.example, IP Address:10.0.0.1, email:x@y, URI:spiffe://…"
  const sans = (cert.subjectaltname ?? "").split(/,\s*/).map((s) => s.slice(s.indexOf(":") + 1));
  return sans.some((s) => allowed.includes(s));
}
