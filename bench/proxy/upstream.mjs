// A fast upstream for the proxy benchmark: answers every POST with a fixed OIP v2 response and every
// GET with a tiny body. Runs in its own process; prints its port on stdout.
// Usage: node upstream.mjs [port] [delay ms before each POST answer (a slow shadow)]
import { createServer } from "node:http";

const response = Buffer.from(
  JSON.stringify({
    model_name: "credit",
    model_version: "3",
    outputs: [
      // one probability per row of the benchmark's 14-row request
      {
        name: "probability",
        shape: [14],
        datatype: "FP64",
        data: Array.from({ length: 14 }, (_, i) => (i + 0.5) / 14),
      },
    ],
  }),
);
const delayMs = Number(process.argv[3] ?? 0);
const server = createServer({ noDelay: true, keepAliveTimeout: 60_000 }, (req, res) => {
  if (req.method === "POST") {
    req.on("data", () => {});
    req.on("end", () => {
      const answer = () => {
        res.writeHead(200, { "content-type": "application/json", "content-length": response.length });
        res.end(response);
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
    return;
  }
  res.writeHead(200, { "content-type": "text/plain", "content-length": 2 });
  res.end("ok");
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
