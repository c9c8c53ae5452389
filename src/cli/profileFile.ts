// Reading a reference profile file for the CLI: `profile merge` and `baseline --bins-from`.
import { readFileSync } from "node:fs";
import { type Profile, ProfileError, parseProfile } from "../stats/profile.js";

/** A profile file, checked; errors name the file. */
export function readProfileFile(file: string): Profile {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ProfileError(`${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parseProfile(doc);
  } catch (err) {
    throw new ProfileError(`${file}: ${(err as Error).message}`);
  }
}
