import type { SkippedLine } from "../batch/dataFile.js";

const MAX_REPORTED = 20;
let reported = 0;

/** One stderr line per malformed line, up to a cap (the count still lands in rows.skipped). */
export function reportSkip(s: SkippedLine): void {
  reported++;
  if (reported <= MAX_REPORTED) process.stderr.write(`infermon: ${s.file}:${s.line}: skipped: ${s.reason}\n`);
  else if (reported === MAX_REPORTED + 1)
    process.stderr.write("infermon: more malformed lines skipped (not listed)\n");
}
