// The floor of a Node.js reverse proxy on this machine, for comparison with the tap: node:http server,
// undici Pool, the same callback dispatch handler, and nothing else (no header rules, no request id,
// no copies, no metrics). Usage: node bench/proxy/minimalProxy.mjs <listen-port> <upstream-port>
import { createServer } from "node:http";
import { Pool } from "undici";

const [, , listen = "18905", upstream = "18901"] = process.argv;
const pool = new Pool(`http://127.0.0.1:${upstream}`, { connections: 128, pipelining: 1 });
const server = createServer({ noDelay: true, keepAliveTimeout: 30_000 }, (req, res) => {
  res.sendDate = false;
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = chunks.length === 0 ? null : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const headers = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const n = req.rawHeaders[i].toLowerCase();
      if (n !== "connection" && n !== "keep-alive") headers.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
    }
    pool.dispatch(
      { path: req.url, method: req.method, headers, body },
      {
        onConnect() {},
        onHeaders(status, raw, _resume, text) {
          const out = [];
          for (let i = 0; i < raw.length; i += 2) {
            const n = raw[i].toString("latin1");
            if (n.toLowerCase() !== "connection" && n.toLowerCase() !== "keep-alive")
              out.push(n, raw[i + 1].toString("latin1"));
          }
          res.writeHead(status, text || undefined, out);
          return true;
        },
        onData(chunk) {
          return res.write(chunk);
        },
        onComplete() {
          res.end();
        },
        onError() {
          if (!res.headersSent) res.writeHead(502);
          res.end();
        },
      },
    );
  });
});
server.listen(Number(listen), "127.0.0.1", () => process.stdout.write(`${listen}\n`));
process.on("SIGTERM", () => process.exit(0));
