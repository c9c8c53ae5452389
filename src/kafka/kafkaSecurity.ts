// How the agent's Kafka clients authenticate and encrypt: SASL (PLAIN, SCRAM-SHA-256/512) with the
// password read from `kafka.sasl.password_file`, TLS from `kafka.tls_config` (CA, client
// certificate and key for mutual TLS), in the shape of Prometheus' HTTP client config. Files are
// read at start; the password never reaches a log or an error.
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import type { SASLOptions } from "kafkajs";
import { ConfigError } from "../config/errors.js";
import type { KafkaConfig } from "../config/model.js";

export interface KafkaSecurity {
  ssl?: ConnectionOptions | boolean;
  sasl?: SASLOptions;
}

function read(file: string, key: string, source: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(source, [
      { path: key, message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? "unreadable"}` },
    ]);
  }
}

/** kafkajs' `ssl` and `sasl` options for the configured cluster (files read now). */
export function kafkaSecurity(k: KafkaConfig, source = "infermon.yaml"): KafkaSecurity {
  const out: KafkaSecurity = {};
  const t = k.tls;
  if (t) {
    const ssl: ConnectionOptions = { rejectUnauthorized: !t.insecureSkipVerify };
    if (t.caFile) ssl.ca = [read(t.caFile, "kafka.tls_config.ca_file", source)];
    if (t.certFile) ssl.cert = read(t.certFile, "kafka.tls_config.cert_file", source);
    if (t.keyFile) ssl.key = read(t.keyFile, "kafka.tls_config.key_file", source);
    if (t.serverName) ssl.servername = t.serverName;
    out.ssl = ssl;
  }
  const s = k.sasl;
  if (s) {
    // a password file ends with a newline more often than not; the newline is not the password
    const password = read(s.passwordFile, "kafka.sasl.password_file", source).replace(/\r?\n$/, "");
    out.sasl =
      s.mechanism === "plain"
        ? { mechanism: "plain", username: s.username, password }
        : s.mechanism === "scram-sha-256"
          ? { mechanism: "scram-sha-256", username: s.username, password }
          : { mechanism: "scram-sha-512", username: s.username, password };
  }
  return out;
}
