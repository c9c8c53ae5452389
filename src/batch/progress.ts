// Progress on long data passes, on a TTY only (so logs and CI output stay clean).

export interface Progress {
  /** fraction of the pass done, 0..1 */
  update(fraction: number): void;
  done(): void;
}

const NOOP: Progress = { update() {}, done() {} };

export function progress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return NOOP;
  let last = 0;
  let shown = false;
  const t0 = Date.now();
  return {
    update(fraction) {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      shown = true;
      const pct = Math.max(0, Math.min(100, fraction * 100));
      const width = 24;
      const filled = Math.round((pct / 100) * width);
      stream.write(
        `\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${pct.toFixed(0).padStart(3)}%  ${((now - t0) / 1000).toFixed(0)} s`,
      );
    },
    done() {
      if (shown) stream.write(`\r${" ".repeat(label.length + 48)}\r`);
    },
  };
}
