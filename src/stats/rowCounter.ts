import { type BinLayout, INVALID_BIN, MISSING_BIN } from "./binLayout.js";
import type { Row } from "./profileBuilder.js";

/** Counts rows into a layout's bins, with data-quality counts per slot (features, then prediction). */
export class RowCounter {
  readonly counts: Float64Array;
  readonly missing: Float64Array;
  readonly invalid: Float64Array;
  readonly unseen: Float64Array;
  /** rows that had the field at all (0: the column or key is absent from the data) */
  readonly present: Float64Array;
  rows = 0;

  constructor(readonly layout: BinLayout) {
    this.counts = new Float64Array(layout.width);
    const n = layout.slots.length;
    this.missing = new Float64Array(n);
    this.invalid = new Float64Array(n);
    this.unseen = new Float64Array(n);
    this.present = new Float64Array(n);
  }

  add(row: Row): void {
    this.rows++;
    const { slots } = this.layout;
    for (let s = 0; s < slots.length; s++) {
      const slot = slots[s]!;
      const raw = row[slot.name];
      if (raw !== undefined) this.present[s]!++;
      const i = this.layout.binOf(slot, raw);
      if (i >= 0) {
        this.counts[i]!++;
        if (slot.bins.type === "categorical" && this.layout.isUnseen(slot, raw)) this.unseen[s]!++;
      } else if (i === MISSING_BIN) this.missing[s]!++;
      else if (i === INVALID_BIN) this.invalid[s]!++;
    }
  }
}
