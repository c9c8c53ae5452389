// Loaded with `node --import` by the benchmarks: reports the process's peak RSS when it exits.
process.on("exit", () => {
  process.stderr.write(`__PEAK_RSS__=${process.resourceUsage().maxRSS * 1024}\n`);
});
