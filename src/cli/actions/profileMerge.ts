// `infermon profile merge`: options in ../profileCommand.ts.
import { renameSync, writeFileSync } from "node:fs";
import { mergeProfiles } from "../../stats/profileMerge.js";
import { readProfileFile } from "../profileFile.js";

export function profileMergeAction(files: string[], opts: { output: string }): void {
  const merged = mergeProfiles(files.map(readProfileFile));
  const tmp = `${opts.output}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(merged, null, 2)}\n`);
  renameSync(tmp, opts.output);
  process.stderr.write(`${opts.output}: ${merged.rows} rows from ${files.length} profiles\n`);
}
