// A real Kafka broker for tests and bench/kafka: one KRaft node (broker + controller) on loopback,
// run from the jars .ci/install-kafka.sh put in the cache, with the machine's Java 17. Plain
// JavaScript so the benchmarks can use it too (types in kafkaBroker.d.mts).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Kafka, logLevel } from "kafkajs";

/** The Kafka version .ci/kafka/pom.xml pins (INFERMON_KAFKA_VERSION overrides it). */
export function kafkaVersion() {
  if (process.env.INFERMON_KAFKA_VERSION) return process.env.INFERMON_KAFKA_VERSION;
  const pom = readFileSync(new URL("../../.ci/kafka/pom.xml", import.meta.url), "utf8");
  const m = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom);
  if (!m?.[1]) throw new Error(".ci/kafka/pom.xml has no kafka.version");
  return m[1];
}

/** The broker's jar directory when installed (INFERMON_KAFKA_LIBS or the cache), else undefined. */
export function kafkaLibs() {
  const dir =
    process.env.INFERMON_KAFKA_LIBS ??
    join(
      process.env.XDG_CACHE_HOME || join(homedir(), ".cache"),
      "infermon",
      "kafka",
      kafkaVersion(),
      "libs",
    );
  const java = spawnSync("java", ["-version"], { stdio: "ignore" }).status === 0;
  return java && existsSync(join(dir, ".complete")) ? dir : undefined;
}

/** True when the broker can run; false (skip) locally; throws when CI is set and it cannot. */
export function requireKafka() {
  if (kafkaLibs()) return true;
  if (process.env.CI)
    throw new Error("Kafka is required in CI but is not installed (bash .ci/install-kafka.sh)");
  return false;
}

/** `n` distinct free ports: every socket stays bound until all are picked (one closed early could be handed out again). */
async function freePorts(n) {
  const servers = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      await new Promise((resolve, reject) => {
        s.once("error", reject);
        s.listen(0, "127.0.0.1", resolve);
      });
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve()))));
  }
}

async function accepts(port) {
  return await new Promise((resolve) => {
    const c = connect({ port, host: "127.0.0.1" });
    c.once("connect", () => {
      c.destroy();
      resolve(true);
    });
    c.once("error", () => resolve(false));
  });
}

/**
 * PEM files for a broker with TLS listeners, made with the machine's openssl: a CA, the broker's
 * key and certificate chain in one file (Kafka's PEM keystore), a client certificate for mutual TLS.
 */
export function makeKafkaCerts(dir) {
  const run = (args) => {
    const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  run([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=test-ca",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
  ]);
  const leaf = (name, sans, usage) => {
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${sans}\nextendedKeyUsage=${usage}\n`);
    run([
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      `/CN=${name}`,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
    ]);
    run([
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.pem`,
    ]);
  };
  leaf("broker", "IP:127.0.0.1,DNS:localhost", "serverAuth,clientAuth");
  leaf("client", "DNS:infermon-client", "clientAuth");
  // Kafka's PEM keystore: the (PKCS#8, unencrypted) key and the certificate in one file
  writeFileSync(
    join(dir, "broker-keystore.pem"),
    readFileSync(join(dir, "broker.key"), "utf8") + readFileSync(join(dir, "broker.pem"), "utf8"),
  );
  return {
    ca: join(dir, "ca.pem"),
    clientCert: join(dir, "client.pem"),
    clientKey: join(dir, "client.key"),
    keystore: join(dir, "broker-keystore.pem"),
  };
}

/** The SASL user every secured test broker knows (PLAIN and both SCRAMs). */
export const KAFKA_USER = { username: "infermon", password: "s3cr3t-Kafka-pw" };

/**
 * Formats a fresh log directory and starts the node. `restart()` starts it again on the same
 * directory and ports (after `kill()`), which is how tests take the broker away mid-stream.
 */
export async function startBroker(opts = {}) {
  const libs = opts.libs ?? kafkaLibs();
  if (!libs) throw new Error("Kafka is not installed: bash .ci/install-kafka.sh");
  const dir = mkdtempSync(join(tmpdir(), "infermon-kafka-"));
  const [port, controller, sasl, ssl] = await freePorts(opts.security ? 4 : 2);
  // with `security`: a SASL_SSL listener (PLAIN, SCRAM-SHA-256/512) and an SSL listener that
  // requires client certificates, beside the PLAINTEXT one the tests set topics up with
  const secure = opts.security ? { sasl, ssl, certs: makeKafkaCerts(dir) } : undefined;
  const listeners = [`PLAINTEXT://127.0.0.1:${port}`, `CONTROLLER://127.0.0.1:${controller}`];
  const advertised = [`PLAINTEXT://127.0.0.1:${port}`];
  if (secure) {
    listeners.push(`SASL_SSL://127.0.0.1:${secure.sasl}`, `SSL://127.0.0.1:${secure.ssl}`);
    advertised.push(`SASL_SSL://127.0.0.1:${secure.sasl}`, `SSL://127.0.0.1:${secure.ssl}`);
  }
  const u = KAFKA_USER;
  const securityProps = secure
    ? [
        "inter.broker.listener.name=PLAINTEXT",
        "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
        `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${u.username}="${u.password}";`,
        "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
        "ssl.keystore.type=PEM",
        `ssl.keystore.location=${secure.certs.keystore}`,
        "ssl.truststore.type=PEM",
        `ssl.truststore.location=${secure.certs.ca}`,
        "listener.name.ssl.ssl.client.auth=required",
      ]
    : [];
  const props = [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${controller}`,
    `listeners=${listeners.join(",")}`,
    `advertised.listeners=${advertised.join(",")}`,
    "controller.listener.names=CONTROLLER",
    `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${secure ? ",SASL_SSL:SASL_SSL,SSL:SSL" : ""}`,
    ...securityProps,
    `log.dirs=${join(dir, "data")}`,
    `num.partitions=${opts.partitions ?? 2}`,
    "auto.create.topics.enable=false",
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=1",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
    "group.initial.rebalance.delay.ms=0",
    // lets tests' consumers use short sessions (a dead member leaves in seconds)
    "group.min.session.timeout.ms=1000",
    // a restarted node re-registers at once instead of waiting out its old 9 s session
    "broker.session.timeout.ms=2000",
    "broker.heartbeat.interval.ms=500",
  ];
  const config = join(dir, "server.properties");
  writeFileSync(config, `${props.join("\n")}\n`);
  const cp = join(libs, "*");
  const heap = opts.heap ?? "512m";
  // SCRAM credentials live in the cluster metadata: KRaft takes them at format time
  const scram = secure
    ? ["SCRAM-SHA-256", "SCRAM-SHA-512"].flatMap((m) => [
        "--add-scram",
        `${m}=[name=${u.username},password=${u.password}]`,
      ])
    : [];
  const format = spawnSync(
    "java",
    ["-cp", cp, "kafka.tools.StorageTool", "format", "-t", "MkU3OEVBNTcwNTJENDM2Qg", "-c", config, ...scram],
    { encoding: "utf8" },
  );
  if (format.status !== 0) throw new Error(`kafka storage format failed: ${format.stderr}`);
  const logFile = join(dir, "broker.log");
  let child;
  const launch = async () => {
    writeFileSync(logFile, "", { flag: "a" });
    const { openSync } = await import("node:fs");
    const out = openSync(logFile, "a");
    child = spawn(
      "java",
      [
        `-Xms${heap}`,
        `-Xmx${heap}`,
        "-XX:+UseSerialGC",
        ...(opts.jvmArgs ?? ["-XX:TieredStopAtLevel=1"]),
        "-Djava.awt.headless=true",
        "-cp",
        cp,
        "kafka.Kafka",
        config,
      ],
      { stdio: ["ignore", out, out] },
    );
    const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
    let exited = false;
    child.once("exit", () => {
      exited = true;
    });
    while (!(await accepts(port))) {
      if (exited) throw new Error(`kafka exited at start:\n${readFileSync(logFile, "utf8").slice(-4000)}`);
      if (Date.now() > deadline) throw new Error("kafka did not start in time");
      await sleep(200);
    }
    // the listener opens before the node has a controller; wait until it answers metadata
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${port}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    for (;;) {
      try {
        await admin.connect();
        await admin.describeCluster();
        await admin.disconnect();
        return;
      } catch {
        await admin.disconnect().catch(() => {});
        if (Date.now() > deadline) throw new Error("kafka did not answer in time");
        await sleep(200);
      }
    }
  };
  const waitExit = async (signal) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const done = new Promise((r) => c.once("exit", r));
    c.kill(signal);
    await done;
  };
  await launch();
  return {
    bootstrap: `127.0.0.1:${port}`,
    ...(secure && {
      saslSsl: `127.0.0.1:${secure.sasl}`,
      ssl: `127.0.0.1:${secure.ssl}`,
      certs: secure.certs,
    }),
    port,
    dir,
    get pid() {
      return child?.pid;
    },
    /** the node dies at once (SIGKILL by default): nothing flushed, no controlled shutdown */
    kill: (signal = "SIGKILL") => waitExit(signal),
    restart: () => launch(),
    log: () => readFileSync(logFile, "utf8"),
    async stop() {
      await waitExit("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates topics (few partitions: tests stay fast) and waits for their leaders. */
export async function createTopics(bootstrap, topics) {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics, waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export function listJars(libs) {
  return readdirSync(libs).filter((f) => f.endsWith(".jar"));
}
