/** A mistake in how infermon was called or in its inputs; the CLI exits 2 with the message. */
export class UsageError extends Error {
  override name = "UsageError";
}
