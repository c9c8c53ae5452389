// A model's variant labels: the configured names, then `other` (anything else, or none). The
// agent counts by index; every part that builds one from the same config agrees on the indexes.
import type { VariantsConfig } from "../config/model.js";
import { OTHER } from "../export/labelValues.js";

export class VariantNames {
  /** label values by index: the configured names, then `other` */
  readonly labels: readonly string[];
  /** the index of `other` */
  readonly other: number;
  private readonly index = new Map<string, number>();

  constructor(config: VariantsConfig) {
    this.labels = [...config.names, OTHER];
    this.other = config.names.length;
    config.names.forEach((n, i) => {
      this.index.set(n, i);
    });
  }

  /** The index of a variant name from traffic; `other` for an unknown name or none. */
  indexOf(name: string | undefined): number {
    return name === undefined ? this.other : (this.index.get(name) ?? this.other);
  }

  /** The label of a variant name from traffic: the name when configured, else `other`. */
  labelOf(name: string | undefined): string {
    return this.labels[this.indexOf(name)] as string;
  }
}
