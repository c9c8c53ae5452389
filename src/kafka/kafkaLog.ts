// kafkajs's own log lines into the agent's pino logger: warnings and errors only, one line per
// kind every 10 s (a broker that is down makes kafkajs log every reconnect attempt).
import { type LogEntry, logLevel } from "kafkajs";
import type { Logger } from "../export/logger.js";
import { LOG } from "../export/logMessages.js";
import { LogThrottle } from "../export/logThrottle.js";

export function kafkaLogCreator(log: Logger): () => (entry: LogEntry) => void {
  const throttle = new LogThrottle(10_000);
  return () =>
    ({ level, namespace, log: entry }) => {
      if (level > logLevel.WARN) return;
      const { message, timestamp: _t, ...extra } = entry;
      const t = throttle.take(`${namespace}:${message}`);
      if (!t) return;
      const fields = { kafkajs: namespace, ...extra, suppressed: t.suppressed };
      if (level === logLevel.ERROR) log.error(fields, `${LOG.kafkaClientPrefix}${message}`);
      else log.warn(fields, `${LOG.kafkaClientPrefix}${message}`);
    };
}
