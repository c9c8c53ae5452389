// A copy of a body taken while it streams past, up to a byte limit and within the agent's memory
// budget. Over either the copy is abandoned (its chunks and bytes released) and the reason kept;
// the bytes on the wire are never touched.
import { type ByteBudget, UNLIMITED } from "../export/byteBudget.js";

export class BodyCopy {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** why the copy was abandoned, if it was */
  abandoned: "body_too_large" | "memory_budget" | undefined;

  constructor(
    private readonly limit: number,
    private readonly budget: ByteBudget = UNLIMITED,
  ) {}

  get overflowed(): boolean {
    return this.abandoned !== undefined;
  }

  /** Bytes of the budget this copy holds (handed over with the copy by `take`). */
  get held(): number {
    return this.abandoned ? 0 : this.bytes;
  }

  add(chunk: Buffer): void {
    if (this.abandoned) return;
    const n = chunk.length;
    if (this.bytes + n > this.limit) this.abandon("body_too_large");
    else if (!this.budget.take(n)) this.abandon("memory_budget");
    else {
      this.bytes += n;
      this.chunks.push(chunk);
    }
  }

  /** The copied bytes (one Buffer), or undefined when the copy was abandoned. */
  take(): Buffer | undefined {
    if (this.abandoned) return undefined;
    const c = this.chunks;
    this.chunks = [];
    return c.length === 1 ? (c[0] as Buffer) : Buffer.concat(c);
  }

  private abandon(reason: "body_too_large" | "memory_budget"): void {
    this.abandoned = reason;
    this.budget.release(this.bytes);
    this.bytes = 0;
    this.chunks = [];
  }
}
