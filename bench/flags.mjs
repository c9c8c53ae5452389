// The benchmarks' command-line flags: `--name value`, or `--name` alone (followed by another flag
// or by nothing) for "1".
export function flags(argv = process.argv.slice(2)) {
  return Object.fromEntries(
    argv
      .map((a, i, all) =>
        a.startsWith("--") ? [a.slice(2), all[i + 1]?.startsWith("--") ? "1" : (all[i + 1] ?? "1")] : [],
      )
      .filter((x) => x.length),
  );
}
