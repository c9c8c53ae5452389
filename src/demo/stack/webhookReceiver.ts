// Alertmanager's webhook receiver: every receiver of the generated Alertmanager config posts here
// (`/<receiver>`), and each notification is handed to `onNotification` as it arrives (the demo
// prints it; the end-to-end test asserts on it). Loopback only; bodies over 1 MiB are refused.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface NotifiedAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt?: string;
}

/** Alertmanager's webhook payload (version 4), with the receiver taken from the path. */
export interface Notification {
  receiver: string;
  status: "firing" | "resolved" | string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  alerts: NotifiedAlert[];
  /** when it arrived (ms) */
  at: number;
}

export interface WebhookReceiver {
  url: string;
  server: Server;
  received: Notification[];
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

export async function startWebhookReceiver(
  onNotification: (n: Notification) => void = () => {},
): Promise<WebhookReceiver> {
  const received: Notification[] = [];
  const server = createServer((req, res) => {
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on("end", () => {
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        return;
      }
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Omit<Notification, "at">;
        const receiver = decodeURIComponent((req.url ?? "/").slice(1)) || body.receiver;
        const n: Notification = {
          receiver,
          status: body.status,
          groupLabels: body.groupLabels ?? {},
          commonLabels: body.commonLabels ?? {},
          commonAnnotations: body.commonAnnotations ?? {},
          alerts: body.alerts ?? [],
          at: Date.now(),
        };
        received.push(n);
        onNotification(n);
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
