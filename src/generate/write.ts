// Writes the artifacts into an output directory that may hold the user's own files, all-or-nothing:
// the plan (ownership.ts) is made first and a conflict refuses the whole run before anything is
// touched; new contents are staged in a temp directory inside the output directory (same
// filesystem) and renamed into place one by one, the files they replace moved aside first, so a
// failure puts everything back. Only files carrying the generated mark are ever replaced, and
// stale generated files are removed only with `prune`.
import {
  renameSync as fsRename,
  mkdirSync,
  mkdtempSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type Conflict, GENERATED_ROOTS, planWrite } from "./ownership.js";

export { GENERATED_ROOTS } from "./ownership.js";

/** The output directory could not be written (exit 3). */
export class WriteError extends Error {
  override name = "WriteError";
}

/** Files `generate` does not own stand where it would write (exit 2); nothing was changed. */
export class ForeignFileError extends Error {
  override name = "ForeignFileError";
  constructor(
    readonly outDir: string,
    readonly conflicts: readonly Conflict[],
  ) {
    super(
      [
        `refusing to write to ${outDir}: ${conflicts.length === 1 ? "a file" : `${conflicts.length} files`} in the way ${conflicts.length === 1 ? "is" : "are"} not generate's own (nothing was changed):`,
        ...conflicts.map((c) => `  ${join(outDir, c.path)}: ${c.why}`),
        "move or rename them, or write elsewhere with -o DIR",
      ].join("\n"),
    );
  }
}

export interface WriteOptions {
  /** remove generated files under the generated roots that `files` no longer holds */
  prune?: boolean;
  /** the move used for every rename (tests inject a failing filesystem) */
  rename?: (from: string, to: string) => void;
}

export interface WriteResult {
  /** files created or overwritten */
  written: string[];
  /** files already holding the same content */
  unchanged: string[];
  /** stale generated files removed (prune) */
  removed: string[];
  /** stale generated files left in place (no prune) */
  staleKept: string[];
}

const GENERATOR_BUG = (path: string) => `generator bug: ${path} is outside the generated directories`;

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Directories from `dir` up to (excluding) `stop` that do not exist yet, outermost first. */
function missingDirs(dir: string, stop: string): string[] {
  const out: string[] = [];
  for (let d = dir; d !== stop && d.startsWith(stop) && !exists(d); d = dirname(d)) out.unshift(d);
  return out;
}

/** Write `files` (relative posix path → content) under `outDir`. */
export function writeArtifacts(
  outDir: string,
  files: ReadonlyMap<string, string>,
  opts: WriteOptions = {},
): WriteResult {
  for (const path of files.keys())
    if (!GENERATED_ROOTS.some((r) => path.startsWith(`${r}/`))) throw new Error(GENERATOR_BUG(path));
  const out = resolve(outDir);
  const plan = planWrite(out, files);
  if (plan.conflicts.length > 0) throw new ForeignFileError(outDir, plan.conflicts);
  const result: WriteResult = {
    written: plan.write,
    unchanged: plan.unchanged,
    removed: opts.prune ? plan.stale : [],
    staleKept: opts.prune ? [] : plan.stale,
  };
  if (plan.write.length === 0 && result.removed.length === 0) return result;

  let tmp: string;
  try {
    mkdirSync(out, { recursive: true });
    tmp = mkdtempSync(join(out, ".infermon-generate-"));
  } catch (err) {
    throw new WriteError(
      `cannot write to output directory ${outDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const renameSync = opts.rename ?? fsRename;
  // what was done, to undo it newest first
  const undo: (() => void)[] = [];
  try {
    for (const rel of plan.write) {
      const staged = join(tmp, "new", rel);
      mkdirSync(dirname(staged), { recursive: true });
      writeFileSync(staged, files.get(rel) as string);
    }
    for (const rel of plan.write) {
      const dest = join(out, rel);
      for (const d of missingDirs(dirname(dest), out)) {
        mkdirSync(d);
        undo.push(() => rmdirSync(d));
      }
      if (exists(dest)) {
        const old = join(tmp, "old", rel);
        mkdirSync(dirname(old), { recursive: true });
        renameSync(dest, old);
        undo.push(() => renameSync(old, dest));
      }
      renameSync(join(tmp, "new", rel), dest);
      undo.push(() => rmSync(dest, { force: true }));
    }
    for (const rel of result.removed) {
      const dest = join(out, rel);
      const old = join(tmp, "old", rel);
      mkdirSync(dirname(old), { recursive: true });
      renameSync(dest, old);
      undo.push(() => renameSync(old, dest));
    }
  } catch (err) {
    let restored = true;
    for (const step of undo.reverse()) {
      try {
        step();
      } catch {
        restored = false;
      }
    }
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    if (!restored) {
      // keep the previous files where they are, and say where
      throw new WriteError(
        `cannot write to output directory ${outDir}: ${reason}; previous files kept in ${tmp}/old`,
      );
    }
    rmSync(tmp, { recursive: true, force: true });
    throw new WriteError(`cannot write to output directory ${outDir}: ${reason}`);
  }
  rmSync(tmp, { recursive: true, force: true });
  removeEmptiedDirs(out, result.removed);
  return result;
}

/** Directories that held only pruned files go too (never one that still holds anything). */
function removeEmptiedDirs(out: string, removed: readonly string[]): void {
  const dirs = new Set<string>();
  for (const rel of removed)
    for (let d = dirname(rel); d !== "." && d !== ""; d = dirname(d)) {
      if (GENERATED_ROOTS.includes(d as (typeof GENERATED_ROOTS)[number])) break;
      dirs.add(d);
    }
  // deepest first
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(join(out, d));
    } catch {
      // not empty (the user's files, or files still generated): keep it
    }
  }
}
