// Its own module so the CLI's entry point can recognise it without loading a data reader.

/** A data file that cannot be read as data; the CLI exits 2 with the message. */
export class DataFileError extends Error {
  override name = "DataFileError";
}
