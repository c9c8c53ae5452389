// An OTLP gRPC trace receiver that accepts and discards, for the tracing-cost benchmark: the agent
// pays for its spans (creation, batching, protobuf encoding, gRPC) and nothing else competes for the
// CPU the way a real collector would. The Export response is an empty message (zero bytes), so no
// protos are needed. Counts requests and bytes; prints them on SIGTERM.
// Usage: node bench/proxy/otlpSink.mjs PORT
import { Server, ServerCredentials } from "@grpc/grpc-js";

const port = Number(process.argv[2] ?? 4317);
let requests = 0;
let bytes = 0;
const server = new Server();
const id = (b) => b;
server.addService(
  {
    Export: {
      path: "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
      requestStream: false,
      responseStream: false,
      requestSerialize: id,
      requestDeserialize: id,
      responseSerialize: () => Buffer.alloc(0),
      responseDeserialize: id,
    },
  },
  {
    Export(call, done) {
      requests++;
      bytes += call.request.length;
      done(null, {});
    },
  },
);
server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err) => {
  if (err) throw err;
  process.stdout.write(`otlp sink on 127.0.0.1:${port}\n`);
});
process.on("SIGTERM", () => {
  process.stdout.write(`${JSON.stringify({ requests, bytes })}\n`);
  server.forceShutdown();
  process.exit(0);
});
