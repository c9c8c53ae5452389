import { type BinLayout, INVALID_BIN, MISSING_BIN } from "./binLayout.js";
import { numericBinOf } from "./binning.js";
import type { ColumnBatch } from "./columnBatch.js";
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

  /** Count a batch whose columns follow the layout's slots (features, then the prediction). */
  addColumns(b: ColumnBatch): void {
    this.rows += b.rows;
    const { slots } = this.layout;
    for (let s = 0; s < slots.length; s++) {
      const slot = slots[s]!;
      const col = b.columns[s];
      const categorical = slot.bins.type === "categorical";
      if (col instanceof Float64Array && slot.bins.type === "numeric") {
        this.present[s]! += b.rows;
        // the engine's parsed numbers: finite ones go straight to their bin, the rest by the rules
        const bins = slot.bins;
        for (let r = 0; r < b.rows; r++) {
          const x = col[r] as number;
          const i = Number.isFinite(x) ? slot.offset + numericBinOf(bins, x) : this.layout.binOf(slot, x);
          if (i >= 0) this.counts[i]!++;
          else if (i === MISSING_BIN) this.missing[s]!++;
          else if (i === INVALID_BIN) this.invalid[s]!++;
        }
        continue;
      }
      for (let r = 0; r < b.rows; r++) {
        const raw = col === undefined ? undefined : col[r];
        if (raw !== undefined) this.present[s]!++;
        const i = this.layout.binOf(slot, raw);
        if (i >= 0) {
          this.counts[i]!++;
          if (categorical && this.layout.isUnseen(slot, raw)) this.unseen[s]!++;
        } else if (i === MISSING_BIN) this.missing[s]!++;
        else if (i === INVALID_BIN) this.invalid[s]!++;
      }
    }
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
