// Opening a listener, with a failure that names the port and what it was for.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What a listener is for, and the config key that sets its address. */
export type ListenerRole = "tap" | "ingest" | "metrics";

const KEY: Record<ListenerRole, string> = {
  tap: "tap.listen",
  ingest: "ingest.listen",
  metrics: "metrics.listen",
};

/** A listener could not be opened (port in use, no permission, bad address): a runtime failure. */
export class ListenError extends Error {
  override name = "ListenError";
  constructor(
    readonly role: ListenerRole | string,
    readonly address: string,
    readonly code: string | undefined,
    readonly detail: string,
    /** what sets the address (default: the config key of a role): `infermon demo` names its flags */
    readonly key: string = KEY[role as ListenerRole] ?? "",
  ) {
    super(`cannot open the ${role} listener on ${address} (${key}): ${detail}`);
  }
}

export const DETAIL: Record<string, string> = {
  EADDRINUSE: "the port is already in use by another process",
  EACCES: "permission denied (ports below 1024 need privileges)",
  EADDRNOTAVAIL: "the address is not one of this machine's",
};

/** `host:port` → listening server address; a ListenError naming `role` when it cannot listen. */
export function listenOn(server: Server, listen: string, role: ListenerRole): Promise<AddressInfo> {
  const i = listen.lastIndexOf(":");
  const host = listen.slice(0, i).replace(/^\[|\]$/g, "") || "0.0.0.0";
  const port = Number(listen.slice(i + 1));
  return new Promise((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) =>
      reject(new ListenError(role, listen, err.code, (err.code && DETAIL[err.code]) ?? err.message));
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      resolve(server.address() as AddressInfo);
    });
  });
}
