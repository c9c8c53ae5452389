// A copy of a body taken while it streams past, up to a byte limit. Over the limit the copy is
// abandoned (and its chunks released); the bytes on the wire are never touched.

export class BodyCopy {
  private chunks: Buffer[] = [];
  private bytes = 0;
  overflowed = false;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    if (this.overflowed) return;
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      this.overflowed = true;
      this.chunks = [];
      return;
    }
    this.chunks.push(chunk);
  }

  /** The copied bytes (one Buffer), or undefined when the body went over the limit. */
  take(): Buffer | undefined {
    if (this.overflowed) return undefined;
    const c = this.chunks;
    this.chunks = [];
    return c.length === 1 ? (c[0] as Buffer) : Buffer.concat(c);
  }
}
