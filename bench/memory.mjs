// Memory: RSS of the window state for 5 models × 100 features × 12 bins × 2 windows × 60
// sub-buckets, after 10k and after 1M events (100× more). Baseline: an empty Node process.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median } from "./lib.mjs";

const CHILD = fileURLToPath(new URL("./memoryChild.mjs", import.meta.url));
const REPS = 3;

function rss(events) {
  const runs = [];
  for (let i = 0; i < REPS; i++) {
    const out = execFileSync(process.execPath, ["--expose-gc", CHILD, String(events)], { encoding: "utf8" });
    runs.push(JSON.parse(out).rss);
  }
  return median(runs);
}

export function runMemory() {
  const empty = Number(
    execFileSync(
      process.execPath,
      ["--expose-gc", "-e", "gc(); process.stdout.write(String(process.memoryUsage().rss))"],
      {
        encoding: "utf8",
      },
    ),
  );
  return { emptyNode: empty, windowsOnly: rss(0), after10k: rss(10_000), after1M: rss(1_000_000) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [k, v] of Object.entries(runMemory()))
    console.log(`${k.padEnd(12)} ${(v / 1048576).toFixed(1)} MB`);
}
