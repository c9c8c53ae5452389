// Prints the section of CHANGELOG.md for one version (the GitHub release notes):
//   node scripts/changelog-notes.mjs 0.2.0 > notes.md
// Exit 1 naming the version when CHANGELOG.md has no `## [<version>]` section: a release needs notes.
import { readFileSync } from "node:fs";

const version = (process.argv[2] ?? "").replace(/^v/, "");
const file = process.argv[3] ?? new URL("../CHANGELOG.md", import.meta.url).pathname;
if (!version) {
  console.error("usage: changelog-notes.mjs <version> [CHANGELOG.md]");
  process.exit(2);
}
const lines = readFileSync(file, "utf8").split("\n");
const start = lines.findIndex((l) => l.startsWith(`## [${version}]`));
if (start < 0) {
  console.error(`${file}: no "## [${version}]" section: add the release's notes before tagging v${version}`);
  process.exit(1);
}
const end = lines.findIndex((l, i) => i > start && (l.startsWith("## [") || /^\[[^\]]+\]: /.test(l)));
const body = lines
  .slice(start + 1, end < 0 ? undefined : end)
  .join("\n")
  .trim();
process.stdout.write(`${body}\n`);
