import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { WriteError, writeArtifacts } from "../../src/generate/write.js";
import { removeTempDirs, tempDir } from "./helpers.js";

afterAll(removeTempDirs);

describe("writeArtifacts", () => {
  it("replaces generated roots as a whole (stale files go)", () => {
    const out = tempDir("w");
    writeArtifacts(out, new Map([["alerts/old.rules.yaml", "old\n"]]));
    writeArtifacts(out, new Map([["alerts/new.rules.yaml", "new\n"]]));
    expect(readdirSync(join(out, "alerts"))).toEqual(["new.rules.yaml"]);
  });

  it("a failure half-way leaves the output directory as it was, with no temp directory", () => {
    const out = tempDir("w");
    mkdirSync(join(out, "alerts"));
    writeFileSync(join(out, "alerts", "keep.yaml"), "previous\n");
    // `alerts/x` cannot be both a file and a directory: the second write fails
    const files = new Map([
      ["alerts/a.yaml", "a\n"],
      ["alerts/x", "file\n"],
      ["alerts/x/y.yaml", "nested\n"],
    ]);
    expect(() => writeArtifacts(out, files)).toThrow(WriteError);
    expect(readdirSync(out)).toEqual(["alerts"]);
    expect(readdirSync(join(out, "alerts"))).toEqual(["keep.yaml"]);
    expect(readFileSync(join(out, "alerts", "keep.yaml"), "utf8")).toBe("previous\n");
    expect(existsSync(join(out, "alerts", "a.yaml"))).toBe(false);
  });

  it("a failure while swapping directories in puts the earlier ones back", () => {
    const out = tempDir("w");
    mkdirSync(join(out, "alerts"));
    writeFileSync(join(out, "alerts", "keep.yaml"), "previous\n");
    writeFileSync(join(out, "deploy"), "a file where deploy/ should be\n");
    const files = new Map([
      ["alerts/a.yaml", "a\n"],
      ["dashboards/d.json", "{}\n"],
      ["deploy/kubernetes/x.yaml", "x\n"],
    ]);
    // alerts/ and dashboards/ are swapped in before deploy/kubernetes fails
    expect(() => writeArtifacts(out, files)).toThrow(WriteError);
    expect(readdirSync(out).sort()).toEqual(["alerts", "deploy"]);
    expect(readdirSync(join(out, "alerts"))).toEqual(["keep.yaml"]);
    expect(readFileSync(join(out, "deploy"), "utf8")).toBe("a file where deploy/ should be\n");
  });

  it("refuses paths outside the generated roots", () => {
    expect(() => writeArtifacts(tempDir("w"), new Map([["src/x.ts", ""]]))).toThrow(/outside the generated/);
  });
});
