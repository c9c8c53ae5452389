// test/helpers/shadowServer.mjs (a second model server: a shadow or a rollout candidate) started as
// its own process, resolved once it prints the port it listens on.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export async function startShadowServer(listenPort = 0): Promise<{ proc: ChildProcess; url: string }> {
  const script = fileURLToPath(new URL("./shadowServer.mjs", import.meta.url));
  const proc = spawn(process.execPath, [script, String(listenPort)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    proc.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once("exit", (code) => reject(new Error(`shadow server exited ${code}`)));
  });
  return { proc, url: `http://127.0.0.1:${port}` };
}
