// Redeliveries to this process are recognised exactly by offset: after a broker restart or a
// consumer restart, Kafka resends from the last committed offset, and every message at or below
// the highest offset already applied on that partition is a duplicate. Memory is one number per
// partition. (A redelivery to another member of the group is caught by id in the label join.)
export class OffsetWatermark {
  private readonly marks = new Map<string, number[]>();

  /** True the first time an offset above the partition's watermark is seen; it becomes the mark. */
  advance(topic: string, partition: number, offset: number): boolean {
    let m = this.marks.get(topic);
    if (!m) {
      m = [];
      this.marks.set(topic, m);
    }
    const mark = m[partition];
    if (mark !== undefined && offset <= mark) return false;
    m[partition] = offset;
    return true;
  }
}
