// Where the demo writes: on a terminal, a panel redrawn in place (cursor up, clear, redraw) with
// log lines (notifications) printed above it; otherwise plain lines, one per interval.
import { stripVTControlCharacters } from "node:util";

export class LiveOutput {
  private drawn = 0;
  private last: string[] = [];

  constructor(
    private readonly out: NodeJS.WriteStream | NodeJS.WritableStream,
    readonly tty: boolean,
  ) {}

  private get columns(): number {
    return (this.out as NodeJS.WriteStream).columns || 100;
  }

  private erase(): void {
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}F\x1b[J`);
    this.drawn = 0;
  }

  private fit(l: string): string {
    // a wrapped line would break the cursor arithmetic: cut it (without colours) to the width
    const plain = stripVTControlCharacters(l);
    return plain.length < this.columns ? l : `${plain.slice(0, this.columns - 2)}…`;
  }

  /** Redraw the panel (terminal only). */
  panel(lines: string[]): void {
    if (!this.tty) return;
    this.erase();
    const fitted = lines.map((l) => this.fit(l));
    if (fitted.length > 0) this.out.write(`${fitted.join("\n")}\n`);
    this.drawn = fitted.length;
    this.last = lines;
  }

  /** A line that stays (above the panel on a terminal). */
  log(line: string): void {
    if (!this.tty) {
      this.out.write(`${line}\n`);
      return;
    }
    this.erase();
    this.out.write(`${line}\n`);
    this.panel(this.last);
  }

  /** Leave the last panel on screen and write below it from now on. */
  release(): void {
    this.drawn = 0;
    this.last = [];
  }
}
