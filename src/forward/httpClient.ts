// An outgoing HTTP client from Prometheus' HTTP client config shape: a TLS-configured undici Agent
// and the Authorization header, whose secret is read from its file at every request (so a rotated
// token or password is picked up, as Prometheus does). Secrets never reach a log or an error: a
// file that cannot be read is reported by path only.
import { readFileSync } from "node:fs";
import { Agent } from "undici";
import type { HttpClientConfig } from "../config/model.js";

export class ClientConfigError extends Error {
  override name = "ClientConfigError";
}

function readSecret(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (err) {
    throw new ClientConfigError(
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}`,
    );
  }
}

export interface HttpClient {
  dispatcher: Agent;
  /** the Authorization header for the next request (reads the secret file) */
  authorization(): string | undefined;
  close(): Promise<void>;
}

/** Builds the client; throws ClientConfigError (naming the file) when a TLS file cannot be read. */
export function httpClient(c: HttpClientConfig, timeoutMs: number): HttpClient {
  const t = c.tls;
  const dispatcher = new Agent({
    connect: {
      timeout: timeoutMs,
      ...(t?.caFile && { ca: readSecret(t.caFile, "tls_config.ca_file") }),
      ...(t?.certFile && { cert: readSecret(t.certFile, "tls_config.cert_file") }),
      ...(t?.keyFile && { key: readSecret(t.keyFile, "tls_config.key_file") }),
      ...(t?.serverName && { servername: t.serverName }),
      ...(t?.insecureSkipVerify && { rejectUnauthorized: false }),
    },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connections: 4,
  });
  return {
    dispatcher,
    authorization() {
      if (c.authorization)
        return `${c.authorization.type} ${readSecret(c.authorization.credentialsFile, "authorization.credentials_file")}`;
      if (c.basicAuth) {
        const password = readSecret(c.basicAuth.passwordFile, "basic_auth.password_file");
        return `Basic ${Buffer.from(`${c.basicAuth.username}:${password}`).toString("base64")}`;
      }
      return undefined;
    },
    close: () => dispatcher.close(),
  };
}
