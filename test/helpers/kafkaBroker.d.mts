export interface Broker {
  readonly bootstrap: string;
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
}): Promise<Broker>;
export function createTopics(
  bootstrap: string,
  topics: { topic: string; numPartitions?: number }[],
): Promise<void>;
export function listJars(libs: string): string[];
