// Writes the artifacts all-or-nothing: everything goes to a temp directory inside the output
// directory first (same filesystem), then each generated root is swapped in by rename. A failure
// before the swap leaves the output directory as it was.
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The directories `generate` owns; each is replaced as a whole, so stale files disappear. */
export const GENERATED_ROOTS = [
  "alerts",
  "dashboards",
  "deploy/kubernetes",
  "deploy/rollouts",
  "slo",
] as const;

export class WriteError extends Error {
  override name = "WriteError";
}

const rootOf = (path: string): string => {
  const root = GENERATED_ROOTS.find((r) => path === r || path.startsWith(`${r}/`));
  if (!root) throw new Error(`generator bug: ${path} is outside the generated directories`);
  return root;
};

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Write `files` (relative path → content) under `outDir`. Returns the roots written. */
export function writeArtifacts(outDir: string, files: ReadonlyMap<string, string>): string[] {
  const out = resolve(outDir);
  const roots = [...new Set([...files.keys()].map(rootOf))].sort();
  let tmp: string;
  try {
    mkdirSync(out, { recursive: true });
    tmp = mkdtempSync(join(out, ".infermon-generate-"));
  } catch (err) {
    throw new WriteError(
      `cannot write to output directory ${outDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const swapped: { root: string; old?: string }[] = [];
  try {
    for (const [path, content] of files) {
      const target = join(tmp, "new", path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    for (const root of roots) {
      const dest = join(out, root);
      mkdirSync(dirname(dest), { recursive: true });
      const entry: { root: string; old?: string } = { root };
      if (exists(dest)) {
        entry.old = join(tmp, "old", root);
        mkdirSync(dirname(entry.old), { recursive: true });
        renameSync(dest, entry.old);
      }
      swapped.push(entry);
      renameSync(join(tmp, "new", root), dest);
    }
  } catch (err) {
    // put back what was already swapped, newest first
    let restored = true;
    for (const { root, old } of swapped.reverse()) {
      const dest = join(out, root);
      try {
        // the new tree is in place when it is no longer in the temp directory
        if (!exists(join(tmp, "new", root))) rmSync(dest, { recursive: true, force: true });
        if (old) renameSync(old, dest);
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
  return roots;
}
