// bcrypt comparisons off the event loop. A bcrypt check costs tens of milliseconds of CPU by design
// (bcryptjs, pure JavaScript: ~80 ms at cost 10 on one core here); on the agent's loop that would
// stall the proxy. One worker thread runs them in turn, lazily started and unref'd; at most
// `maxQueued` wait, further checks fail at once (a flood of wrong passwords costs the worker's
// CPU, never the proxy's loop). Verified credentials are cached by the caller (authenticator.ts).
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const bcrypt = require(workerData.bcrypt);
parentPort.on("message", ({ id, password, hash }) => {
  let ok = false;
  try { ok = bcrypt.compareSync(password, hash); } catch {}
  parentPort.postMessage({ id, ok });
});
`;

export class BcryptVerifier {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, (ok: boolean) => void>();
  private nextId = 0;

  constructor(private readonly maxQueued = 64) {}

  /** Whether `password` matches the bcrypt `hash`; false (at once) when too many checks wait. */
  verify(password: string, hash: string): Promise<boolean> {
    if (this.waiting.size >= this.maxQueued) return Promise.resolve(false);
    const w = this.start();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      if (this.waiting.size === 1) w.ref();
      w.postMessage({ id, password, hash });
    });
  }

  /** Stop the worker (waiting checks fail). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    for (const r of this.waiting.values()) r(false);
    this.waiting.clear();
    await w?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const bcrypt = createRequire(import.meta.url).resolve("bcryptjs");
    const w = new Worker(WORKER, { eval: true, workerData: { bcrypt } });
    w.unref();
    w.on("message", ({ id, ok }: { id: number; ok: boolean }) => {
      const r = this.waiting.get(id);
      this.waiting.delete(id);
      if (this.waiting.size === 0) w.unref();
      r?.(ok);
    });
    w.on("error", () => {
      // a crashed worker fails what waits; the next check starts a new one
      for (const r of this.waiting.values()) r(false);
      this.waiting.clear();
      if (this.worker === w) this.worker = undefined;
    });
    this.worker = w;
    return w;
  }
}
