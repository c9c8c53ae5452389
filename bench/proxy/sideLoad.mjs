// The side load of scrapeLoad.mjs, in its own process so that reading 15 MB scrapes and sending
// 14 MiB bodies never delays the load generator's own timing: back-to-back requests (one in
// flight) until SIGTERM, then the duration of each (ms) as JSON on stdout.
// Usage: node sideLoad.mjs scrape URL | node sideLoad.mjs flood URL BODY_FILE
import { readFileSync } from "node:fs";
import { Pool } from "undici";

const [mode, url, file] = process.argv.slice(2);
const u = new URL(url);
const pool = new Pool(u.origin, { connections: 1 });
const body = mode === "flood" ? readFileSync(file) : undefined;
const times = [];
const statuses = {};
let stop = false;
process.on("SIGTERM", () => {
  stop = true;
});
while (!stop) {
  const t0 = performance.now();
  try {
    const r = await pool.request(
      mode === "flood"
        ? { path: u.pathname, method: "POST", body, headers: { "content-type": "application/x-ndjson" } }
        : { path: u.pathname, method: "GET" },
    );
    await r.body.arrayBuffer();
    statuses[r.statusCode] = (statuses[r.statusCode] ?? 0) + 1;
  } catch (err) {
    statuses[err.code ?? "error"] = (statuses[err.code ?? "error"] ?? 0) + 1;
  }
  times.push(performance.now() - t0);
}
process.stdout.write(`${JSON.stringify({ times, statuses })}\n`);
await pool.close();
process.exit(0);
