/** Process exit codes, the CLI contract in README (Commands). */
export const EXIT = {
  ok: 0,
  /** a drift threshold was reached (`drift --fail-on`) */
  threshold: 1,
  /** bad usage or configuration */
  usage: 2,
  /** failure at run time */
  runtime: 3,
} as const;
