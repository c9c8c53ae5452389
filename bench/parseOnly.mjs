// The floor for batch drift: read the given CSV files with csv-parse the way infermon does
// (records as objects, from 'data' events) and count rows; no statistics.

import { once } from "node:events";
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";

let rows = 0;
for (const file of process.argv.slice(2)) {
  const parser = createReadStream(file, { highWaterMark: 1 << 20 }).pipe(parse({ columns: true }));
  parser.on("data", () => rows++);
  await once(parser, "end");
}
process.stdout.write(`${rows}\n`);
