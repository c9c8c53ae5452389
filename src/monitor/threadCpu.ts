// The main thread's CPU time, for the analysis budget's "how busy is the loop" (analysisBudget.ts).
// The event loop's utilisation counts wall time in callbacks, which on a busy machine includes the
// time the thread waited for a CPU: an agent using half a core could look saturated and shed
// copies it had the time to analyse. Linux tells the thread's own run time, in ns, in
// /proc/<pid>/task/<pid>/schedstat (the main thread's id is the process id); read through a kept
// descriptor it costs a few µs, ten times a second.
import { closeSync, openSync, readSync } from "node:fs";

/** A clock of the main thread's CPU time in ms, or undefined where the system does not tell it. */
export function mainThreadCpuClock(): (() => number) | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/self/task/${process.pid}/schedstat`, "r");
  } catch {
    return undefined;
  }
  const buf = Buffer.alloc(128);
  const read = (): number | undefined => {
    try {
      const n = readSync(fd, buf, 0, buf.length, 0);
      const ns = Number(buf.toString("latin1", 0, n).split(" ", 1)[0]);
      return Number.isFinite(ns) ? ns / 1e6 : undefined;
    } catch {
      return undefined;
    }
  };
  if (read() === undefined) {
    closeSync(fd);
    return undefined;
  }
  let last = 0;
  // a failed read (never seen) repeats the last value: that window counts as idle, not saturated
  return () => {
    last = read() ?? last;
    return last;
  };
}
