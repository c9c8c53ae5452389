// Ports of the demo's listeners: a given port must be free (else a ListenError naming the port, its
// role and the flag that set it); 0 picks a free one.
import { createServer } from "node:net";
import { DETAIL, ListenError } from "../export/listen.js";

/** Bind `port` on loopback and release it: the port it got (a free one for 0). */
export function claimPort(port: number, role: string, flag: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new ListenError(
          role,
          `127.0.0.1:${port}`,
          err.code,
          `${(err.code && DETAIL[err.code]) ?? err.message}; pick another port or leave ${flag} out for a free one`,
          flag,
        ),
      ),
    );
    srv.listen(port, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/** The agent's ListenError for a demo listener, naming the demo's flag instead of the config key. */
export function withFlag(err: unknown, flags: Record<string, string>): unknown {
  if (!(err instanceof ListenError)) return err;
  const flag = flags[err.role];
  if (!flag) return err;
  return new ListenError(
    err.role,
    err.address,
    err.code,
    `${err.detail}; pick another port or leave ${flag} out for a free one`,
    flag,
  );
}
