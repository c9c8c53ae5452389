// A fresh clone is the whole product: no tracked file may read or link files outside the
// repository (the design notes and fixtures that sat beside it during development).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
// spelled in pieces so that this file does not match itself
const outside = [`..${"/"}shared`, `/work${"/"}shared`, `shared${"/"}design.md`];

describe("the repository is self-contained", () => {
  it("no tracked file refers to files beside the repository", () => {
    const files = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" })
      .split("\0")
      .filter((f) => f !== "" && !f.endsWith(".png"));
    expect(files.length).toBeGreaterThan(50);
    const hits: string[] = [];
    for (const f of files) {
      let text: string;
      try {
        text = readFileSync(`${root}/${f}`, "utf8");
      } catch {
        continue; // deleted in the work tree
      }
      text.split("\n").forEach((line, i) => {
        if (outside.some((o) => line.includes(o))) hits.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });
});
