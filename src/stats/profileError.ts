// Its own module so the CLI's entry point can recognise it without loading the statistics.

/** A reference profile that cannot be read or does not fit its model; the CLI exits 2. */
export class ProfileError extends Error {
  override name = "ProfileError";
}
