export interface KafkaCerts {
  ca: string;
  clientCert: string;
  clientKey: string;
  keystore: string;
}
export interface Broker {
  readonly bootstrap: string;
  /** with `security`: the SASL_SSL listener (PLAIN, SCRAM-SHA-256/512 as KAFKA_USER) */
  readonly saslSsl?: string;
  /** with `security`: the SSL listener that requires a client certificate */
  readonly ssl?: string;
  readonly certs?: KafkaCerts;
  readonly port: number;
  readonly dir: string;
  /** the running node's process id */
  readonly pid: number | undefined;
  kill(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
  log(): string;
  stop(): Promise<void>;
}
export function kafkaVersion(): string;
export function kafkaLibs(): string | undefined;
export function requireKafka(): boolean;
export function startBroker(opts?: {
  libs?: string;
  partitions?: number;
  heap?: string;
  startTimeoutMs?: number;
  /** JVM flags (default: C1 only, for a fast start in tests; [] for benchmarks) */
  jvmArgs?: string[];
  /** add SASL_SSL and SSL (client certificates required) listeners, certificates made by openssl */
  security?: boolean;
}): Promise<Broker>;
export function makeKafkaCerts(dir: string): KafkaCerts;
export const KAFKA_USER: { username: string; password: string };
export function createTopics(
  bootstrap: string,
  topics: { topic: string; numPartitions?: number }[],
): Promise<void>;
export function listJars(libs: string): string[];
