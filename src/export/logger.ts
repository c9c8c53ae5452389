// The agent's logs: pino JSON lines (numeric `level`, epoch-ms `time`, `msg`) for Loki. The generated
// runbooks query them as `{…} | json | level >= 40`, so warnings and errors are what an on-call
// engineer sees; info is the lifecycle (started, draining, stopped).
import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger };

export function createLogger(o: { level: string; service: string; destination?: DestinationStream }): Logger {
  return pino(
    { level: o.level, base: { name: "infermon", service: o.service } },
    o.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that writes nothing (tests, and agents embedded without one). */
export const silentLogger: Logger = pino({ level: "silent" });
