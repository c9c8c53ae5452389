// `infermon compare`'s reading: two prediction files (CSV, Parquet, JSONL; a file, a glob or a URL)
// scanned by the batch engine, paired by an id column or by position, then compared with the
// shadow's statistics (src/shadow/comparison.ts). Columns: the model's `prediction.output`, and
// optionally an id and a label column.
import type { ModelConfig } from "../config/model.js";
import { loadLayout } from "../monitor/loadProfiles.js";
import { type ComparisonReport, compareRows } from "../shadow/comparison.js";
import type { BatchOptions } from "./batchOptions.js";
import type { Field } from "./columnPlan.js";
import { DataFileError } from "./dataFile.js";
import { Engine } from "./duckdbEngine.js";
import { progress } from "./progress.js";
import { DataReader } from "./reader.js";

export interface CompareOptions extends BatchOptions {
  /** pair rows by this column (else by position) */
  id?: string | undefined;
  /** the ground truth column (read from A, else from B) */
  label?: string | undefined;
  /** agreement below this fails (default: shadow.min_agreement, else 0.9) */
  minAgreement?: number | undefined;
}

interface Side {
  predictions: unknown[];
  ids: string[] | undefined;
  labels: unknown[] | undefined;
}

async function readSide(engine: Engine, model: ModelConfig, path: string, o: CompareOptions): Promise<Side> {
  const reader = await DataReader.open(engine, path, o.formatIn);
  const regression = model.task === "regression";
  const output = model.prediction.output;
  if (reader.knowsColumns && !reader.columnNames().includes(output))
    throw new DataFileError(
      `${path}: no column "${output}" (models[].prediction.output of model "${model.name}"); columns: ${reader.columnNames().join(", ")}`,
    );
  if (o.id !== undefined && reader.knowsColumns && !reader.columnNames().includes(o.id))
    throw new DataFileError(`${path}: no id column "${o.id}" (--id)`);
  const hasLabel = o.label !== undefined && (!reader.knowsColumns || reader.columnNames().includes(o.label));
  const fields: Field[] = [
    { name: output, numeric: regression },
    ...(o.id !== undefined ? [{ name: o.id, numeric: false }] : []),
    ...(hasLabel ? [{ name: o.label as string, numeric: regression }] : []),
  ];
  const side: Side = {
    predictions: [],
    ids: o.id !== undefined ? [] : undefined,
    labels: hasLabel ? [] : undefined,
  };
  const p = progress(`${path}:`);
  await reader.scan(
    fields,
    (b) => {
      const [pred, id, label] = [
        b.columns[0],
        o.id !== undefined ? b.columns[1] : undefined,
        hasLabel ? b.columns[fields.length - 1] : undefined,
      ];
      for (let i = 0; i < b.rows; i++) {
        side.predictions.push(pred?.[i]);
        if (side.ids) {
          const v = id?.[i];
          side.ids.push(v === undefined || v === null ? "" : String(v));
        }
        side.labels?.push(label?.[i]);
      }
    },
    { strict: o.strict ?? false, ...(o.onSkip && { onSkip: o.onSkip }), onProgress: p.update },
  );
  p.done();
  if (side.predictions.length === 0) throw new DataFileError(`${path}: no data rows`);
  if (side.predictions.every((x) => x === undefined || x === null))
    throw new DataFileError(`${path}: column "${output}" has no values`);
  return side;
}

/** Compare B's predictions with A's, row by row. */
export async function compareFiles(
  model: ModelConfig,
  aPath: string,
  bPath: string,
  o: CompareOptions = {},
): Promise<ComparisonReport> {
  const layout = loadLayout(model);
  const engine = await Engine.open(o);
  try {
    const a = await readSide(engine, model, aPath, o);
    const b = await readSide(engine, model, bPath, o);
    if (o.label !== undefined && !a.labels && !b.labels)
      throw new DataFileError(`no label column "${o.label}" in ${aPath} or ${bPath} (--label)`);
    const pa: unknown[] = [];
    const pb: unknown[] = [];
    const labels: unknown[] = [];
    const labelOf = (ia: number, ib: number) => a.labels?.[ia] ?? b.labels?.[ib];
    let pairedA = 0;
    if (a.ids && b.ids) {
      // the first row of each id pairs; a repeated id is left unpaired
      const index = new Map<string, number>();
      a.ids.forEach((id, i) => {
        if (id !== "" && !index.has(id)) index.set(id, i);
      });
      const used = new Set<number>();
      b.ids.forEach((id, ib) => {
        const ia = index.get(id);
        if (ia === undefined || used.has(ia)) return;
        used.add(ia);
        pa.push(a.predictions[ia]);
        pb.push(b.predictions[ib]);
        labels.push(labelOf(ia, ib));
      });
      pairedA = used.size;
    } else {
      const n = Math.min(a.predictions.length, b.predictions.length);
      for (let i = 0; i < n; i++) {
        pa.push(a.predictions[i]);
        pb.push(b.predictions[i]);
        labels.push(labelOf(i, i));
      }
      pairedA = n;
    }
    return compareRows(
      model,
      {
        a: pa,
        b: pb,
        ...((a.labels || b.labels) && { labels }),
        rows: {
          a: a.predictions.length,
          b: b.predictions.length,
          paired: pa.length,
          unpaired_a: a.predictions.length - pairedA,
          unpaired_b: b.predictions.length - pa.length,
        },
      },
      { layout, minAgreement: o.minAgreement ?? model.shadow?.minAgreement ?? 0.9 },
    );
  } finally {
    engine.close();
  }
}
