import { readFileSync } from "node:fs";
import type { ModelConfig } from "../config/model.js";
import { PROFILE_SCHEMA, type Profile, parseProfile } from "../stats/profile.js";
import { buildProfileWith } from "./baseline.js";
import type { BatchOptions } from "./batchOptions.js";
import type { Engine } from "./duckdbEngine.js";

/** Whether `file` is a profile written by `infermon baseline` (a single JSON document with our schema tag). */
export function readProfileIfAny(file: string): Profile | undefined {
  if (!file.toLowerCase().endsWith(".json")) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined; // the data reader reports unreadable files
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined; // JSONL named .json
  }
  if (typeof doc === "object" && doc !== null && (doc as { schema?: unknown }).schema === PROFILE_SCHEMA) {
    return parseProfile(doc);
  }
  return undefined;
}

export interface Reference {
  profile: Profile;
  /** malformed lines skipped when the reference was a data file */
  skipped: number;
}

/** The reference as a profile: read it, or build it from a data path. */
export async function loadReference(
  engine: () => Promise<Engine>,
  model: ModelConfig,
  file: string,
  opts: BatchOptions = {},
): Promise<Reference> {
  const profile = readProfileIfAny(file);
  if (profile) return { profile, skipped: 0 };
  return buildProfileWith(await engine(), model, file, opts);
}
