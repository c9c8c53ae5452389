// The release workflow's notes come from CHANGELOG.md (scripts/changelog-notes.mjs).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

const notes = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, "scripts/changelog-notes.mjs"), ...args], { encoding: "utf8" });

describe("scripts/changelog-notes.mjs", () => {
  it("prints a version's section, without its heading or the next one", () => {
    const r = notes("v0.1.0");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^### Added\n- The agent:/);
    expect(r.stdout).not.toContain("## [");
    expect(r.stdout).not.toContain("[0.1.0]: https://");
  });

  it("fails naming the version when CHANGELOG.md has no section for it", () => {
    const r = notes("9.9.9");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no "## [9.9.9]" section');
  });

  it("package.json's version has its section (a tag of it gets notes)", () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(notes(version).status).toBe(0);
  });
});
