// The value shapes the infermon.yaml spec files share (schema.ts, modelSchema.ts, featureSchema.ts,
// rolloutSchema.ts, fleetSchema.ts, securitySchema.ts): one definition each, so a duration or a
// share is checked, and its error worded, the same under every key.
import { z } from "zod";
import { CONCERN_NAMES, URGENCIES } from "../generate/severity.js";
import { parseDuration } from "./duration.js";
import { MAX_WINDOW_EVENTS, parseWindow } from "./window.js";

export const duration = z.string().refine((s) => parseDuration(s) !== undefined, {
  message: "must be a duration like 30s, 5m, 1h, 30d",
});
// a duration (`1h`) or a count of events (`5000 events`)
export const window = z.string().refine((s) => parseWindow(s) !== undefined, {
  message: `must be a duration like 5m, 1h, or a count like "5000 events" (1 to ${MAX_WINDOW_EVENTS})`,
});
export const listenAddress = z
  .string()
  .regex(/^(?:\[[0-9a-fA-F:.]+\]|[^:\s]*):\d{1,5}$/, { message: "must be HOST:PORT, e.g. 0.0.0.0:8080" });
export const url = z.url({ message: "must be an absolute URL" });
export const percent = z
  .number()
  .gt(0, { message: "must be in (0, 100)" })
  .lt(100, { message: "must be in (0, 100)" });
export const positiveInt = z.number().int().positive();
// the severity policy: concern → page | ticket | info (src/generate/severity.ts)
export const severityPolicy = z.strictObject(
  Object.fromEntries(CONCERN_NAMES.map((c) => [c, z.enum(URGENCIES).optional()])) as Record<
    (typeof CONCERN_NAMES)[number],
    z.ZodOptional<z.ZodEnum<{ page: "page"; ticket: "ticket"; info: "info" }>>
  >,
);
export const levels = z.strictObject({
  warning: z.number().nonnegative(),
  critical: z.number().nonnegative(),
});
export const thresholdLevels = levels.refine((l) => l.critical >= l.warning, {
  message: "critical must be at least warning",
  path: ["critical"],
});

// shares of rows/events: a level is reached when the share is above it
export const share = z
  .number()
  .min(0, { message: "must be a share in [0, 1]" })
  .max(1, { message: "must be a share in [0, 1]" });
export const shareLevels = z
  .strictObject({ warning: share, critical: share })
  .refine((l) => l.critical >= l.warning, {
    message: "critical must be at least warning",
    path: ["critical"],
  });

/** how far a regression prediction may be from another value and still count as equal */
export const tolerance = z
  .strictObject({
    absolute: z.number().finite().nonnegative().optional(),
    relative: z.number().finite().nonnegative().optional(),
  })
  .refine((t) => t.absolute !== undefined || t.relative !== undefined, {
    message: "give absolute, relative or both",
  });

/** an HTTP header name (RFC 9110 token) */
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
