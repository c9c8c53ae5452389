// The agent's logs: pino JSON lines (numeric `level`, epoch-ms `time`, `msg`) for Loki. The generated
// runbooks query them as `{…} | json | level >= 40`, so warnings and errors are what an on-call
// engineer sees; info is the lifecycle (started, draining, stopped). Lines written about a request
// carry its `request_id`, and `trace_id`/`span_id` when it has a trace. Secrets never reach a line:
// header values by name (REDACTED_HEADERS, logging.redact_headers), URLs' userinfo and query
// strings wherever they appear (redact.ts).
import { type DestinationStream, type Logger, pino } from "pino";
import { redactUrls } from "./redact.js";

export type { Logger };

/** Header names whose values never reach the log, whatever object they are logged in. */
export const REDACTED_HEADERS = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"];

/** pino redact paths for header `names` (lower case), in a `headers` object at the top or one level down. */
export function redactPaths(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of new Set([...REDACTED_HEADERS, ...names.map((x) => x.toLowerCase())])) {
    const key = `[${JSON.stringify(n)}]`;
    for (const at of ["headers", "request_headers", "response_headers"])
      out.push(`${at}${key}`, `*.${at}${key}`);
  }
  return out;
}

export function createLogger(o: {
  level: string;
  service: string;
  /** header names redacted besides REDACTED_HEADERS (logging.redact_headers) */
  redactHeaders?: readonly string[];
  destination?: DestinationStream;
}): Logger {
  return pino(
    {
      level: o.level,
      base: { name: "infermon", service: o.service },
      redact: { paths: redactPaths(o.redactHeaders ?? []), censor: "[redacted]" },
      // the last line of defence: any URL in any field (an error's message or stack, a config
      // value) loses its userinfo, query and fragment before the line is written
      hooks: { streamWrite: redactUrls },
    },
    o.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that writes nothing (tests, and agents embedded without one). */
export const silentLogger: Logger = pino({ level: "silent" });
