// A sliding window of the live statistics: by time (`1h`: what arrived in the last hour) or by
// count (`5000 events`: the last 5000 events, or the last 5000 labelled predictions for quality).
import { parseDuration } from "./duration.js";

export type WindowConfig =
  | { name: string; kind: "time"; ms: number }
  | { name: string; kind: "events"; events: number };

/** Most events a count window holds: it keeps each event's bin indexes (4 bytes per slot). */
export const MAX_WINDOW_EVENTS = 1_000_000;

const EVENTS_RE = /^(\d+) ?events?$/;

/** A window from its configured spelling (`30m`, `5000 events`), or undefined when it is neither. */
export function parseWindow(text: string): WindowConfig | undefined {
  const ms = parseDuration(text);
  if (ms !== undefined) return { name: text, kind: "time", ms };
  const m = EVENTS_RE.exec(text.trim());
  if (!m) return undefined;
  const events = Number(m[1]);
  if (!Number.isSafeInteger(events) || events < 1 || events > MAX_WINDOW_EVENTS) return undefined;
  return { name: `${events} events`, kind: "events", events };
}

export const isTimeWindow = (w: WindowConfig): w is Extract<WindowConfig, { kind: "time" }> =>
  w.kind === "time";

/**
 * The longest time window: the one the generated alerts and fleet rules read (a PromQL range), and
 * batch drift's learned levels follow. Every model has one (the schema requires it).
 */
export function longestTimeWindow(windows: readonly WindowConfig[]): { name: string; ms: number } {
  let best: { name: string; ms: number } | undefined;
  for (const w of windows) if (w.kind === "time" && (best === undefined || w.ms > best.ms)) best = w;
  return best ?? { name: "1h", ms: 3_600_000 };
}

/** The shortest time window. */
export function shortestTimeWindow(windows: readonly WindowConfig[]): { name: string; ms: number } {
  let best: { name: string; ms: number } | undefined;
  for (const w of windows) if (w.kind === "time" && (best === undefined || w.ms < best.ms)) best = w;
  return best ?? { name: "1h", ms: 3_600_000 };
}

/** The time windows (PromQL ranges). */
export const timeWindows = (windows: readonly WindowConfig[]): { name: string; ms: number }[] =>
  windows.filter(isTimeWindow);
