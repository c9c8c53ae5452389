// Progress on long file passes, on a TTY only (so logs and CI output stay clean).

export interface Progress {
  update(bytesRead: number, totalBytes: number): void;
  done(): void;
}

const NOOP: Progress = { update() {}, done() {} };

export function progress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return NOOP;
  let last = 0;
  let shown = false;
  return {
    update(read, total) {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      shown = true;
      const pct = total > 0 ? Math.min(100, (read / total) * 100) : 100;
      stream.write(`\r${label} ${pct.toFixed(0).padStart(3)}%  ${(read / 1048576).toFixed(1)} MiB`);
    },
    done() {
      if (shown) stream.write(`\r${" ".repeat(label.length + 24)}\r`);
    },
  };
}
