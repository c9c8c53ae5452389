/**
 * The batch engine (DuckDB) is an optional dependency: the agent image installs without it
 * (`npm ci --omit=optional`, deploy/Dockerfile), where `baseline`, `drift` and `profile` end with
 * this error (exit 3) instead of a module-not-found stack trace.
 */
export class BatchEngineMissingError extends Error {
  override name = "BatchEngineMissingError";
}
