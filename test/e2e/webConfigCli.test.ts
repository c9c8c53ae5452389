// The web config through the CLI: `validate` checks the files `run` would read (exit 2 naming the
// key, no secret echoed), and `run` warns when the ingest listens beyond loopback unauthenticated.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFixture } from "../helpers/agentFixture.js";
import { startAgent } from "../helpers/agentProcess.js";
import { cliTimeout, infermon } from "../helpers/cli.js";

describe("infermon validate", () => {
  it("exits 2 for a bad web config, naming the key and never the value", { timeout: cliTimeout(1) }, () => {
    const { dir, file } = writeFixture({ ingest: true });
    writeFileSync(join(dir, "web.yaml"), "basic_auth_users:\n  alice: hunter2-plaintext\n");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        'ingest: {listen: "127.0.0.1:0"}',
        'ingest: {listen: "127.0.0.1:0", web_config_file: web.yaml}',
      ),
    );
    const r = infermon(["validate", "-c", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ingest\.web_config_file: basic_auth_users\.alice: must be a bcrypt hash/);
    expect(r.stderr).not.toContain("hunter2");
  });

  it("exits 2 when a TLS file is missing", { timeout: cliTimeout(1) }, () => {
    const { dir, file } = writeFixture({ ingest: true });
    writeFileSync(join(dir, "web.yaml"), "tls_server_config:\n  cert_file: nope.crt\n  key_file: nope.key\n");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        'metrics: {listen: "127.0.0.1:0"}',
        'metrics: {listen: "127.0.0.1:0", web_config_file: web.yaml}',
      ),
    );
    const r = infermon(["validate", "-c", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/metrics\.web_config_file: tls_server_config: cannot read the certificate/);
  });
});

describe("infermon run", () => {
  it("warns when the ingest listens beyond loopback without authentication", async () => {
    const { file } = writeFixture({ ingest: true, tap: false });
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace('ingest: {listen: "127.0.0.1:0"}', 'ingest: {listen: "0.0.0.0:0"}'),
    );
    const agent = await startAgent(file);
    try {
      const warned = agent
        .lines()
        .filter((l) => String(l.msg).startsWith("the ingest listens beyond loopback"));
      expect(warned).toHaveLength(1);
      expect(warned[0]?.level).toBe(40);
    } finally {
      expect(await agent.stop()).toBe(0);
    }
  }, 60_000);
});
