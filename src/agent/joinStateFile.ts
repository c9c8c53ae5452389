// The label join across restarts without Kafka (state.file): on SIGTERM every waiting prediction
// and label is written to the file (to a temporary file, then renamed: a reader never sees half of
// it) and read back at the next start, with its arrival time, so ttls run on. While the agent runs,
// `<file>.running` holds a heartbeat (how much was waiting, every state.heartbeat); finding it at
// start means the previous run was killed before it could save, and what it last held is logged
// and counted as lost (infermon_label_join_unrecovered_total{from="state_file"}).
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import type { Logger } from "../export/logger.js";
import { LOG } from "../export/logMessages.js";
import type { AgentMetrics } from "../export/metrics.js";
import type { LabelJoin } from "../labels/labelJoin.js";
import type { SavedEntry } from "../labels/qualityMonitor.js";

const FORMAT = 1;

export class JoinStateFile {
  private timer: NodeJS.Timeout | undefined;
  private readonly marker: string;
  private started = false;

  constructor(
    private readonly file: string,
    private readonly heartbeatMs: number,
    private readonly labels: LabelJoin,
    private readonly metrics: AgentMetrics,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    this.marker = `${file}.running`;
    for (const c of [metrics.quality.restored, metrics.quality.unrecovered]) c.labels({ from: "state_file" });
  }

  /** Read what the previous run left (a saved state, or the heartbeat of a killed run), then beat. */
  start(): void {
    this.started = true;
    if (existsSync(this.marker)) this.killed();
    else if (existsSync(this.file)) this.load();
    this.beat();
    this.timer = setInterval(() => this.beat(), this.heartbeatMs);
    this.timer.unref();
  }

  /** Save every waiting entry (SIGTERM); the marker goes: this run ended cleanly. */
  stop(): boolean {
    clearInterval(this.timer);
    // a start that failed before reading the file must not overwrite it
    if (!this.started) return false;
    this.started = false;
    const lines = [JSON.stringify({ infermon_join_state: FORMAT, saved: this.now() })];
    const counts: Record<string, number> = {};
    for (const [model, q] of this.labels.entries()) {
      let n = 0;
      for (const e of q.exportWaiting()) {
        lines.push(JSON.stringify({ model, ...e }));
        n++;
      }
      if (n > 0) counts[model] = n;
    }
    try {
      const tmp = `${this.file}.tmp-${process.pid}`;
      writeFileSync(tmp, `${lines.join("\n")}\n`);
      renameSync(tmp, this.file);
      rmSync(this.marker, { force: true });
      this.log.info({ file: this.file, entries: lines.length - 1, per_model: counts }, LOG.joinStateSaved);
      return true;
    } catch (err) {
      this.log.error({ file: this.file, err: (err as Error).message }, LOG.joinStateUnreadable);
      return false;
    }
  }

  private beat(): void {
    try {
      writeFileSync(
        this.marker,
        JSON.stringify({ pid: process.pid, at: this.now(), waiting: this.labels.waitingCounts() }),
      );
    } catch {
      // a read-only directory: the heartbeat is best effort, the save at SIGTERM reports its error
    }
  }

  private killed(): void {
    let waiting: Record<string, { predictions: number; labels: number }> = {};
    let at: number | undefined;
    try {
      const x = JSON.parse(readFileSync(this.marker, "utf8")) as { at?: number; waiting?: typeof waiting };
      waiting = x.waiting ?? {};
      at = x.at;
    } catch {
      // an unreadable heartbeat still says the previous run did not end cleanly
    }
    const lost = Object.values(waiting).reduce((n, w) => n + w.predictions + w.labels, 0);
    this.metrics.quality.unrecovered.inc({ from: "state_file" }, lost);
    this.log.warn({ file: this.file, last_heartbeat: at, lost, per_model: waiting }, LOG.joinStateKilled);
    // a saved state older than the killed run is not what it held: it is not read
    rmSync(this.marker, { force: true });
  }

  private load(): void {
    let restored = 0;
    let skipped = 0;
    try {
      const text = readFileSync(this.file, "utf8");
      const [head, ...rest] = text.split("\n");
      if ((JSON.parse(head ?? "{}") as { infermon_join_state?: number }).infermon_join_state !== FORMAT)
        throw new Error("not an infermon join state file");
      const monitors = new Map(this.labels.entries());
      const now = this.now();
      for (const line of rest) {
        if (line.trim() === "") continue;
        try {
          const e = JSON.parse(line) as SavedEntry & { model: string };
          const q = monitors.get(e.model);
          if (!q || typeof e.id !== "string" || (e.kind !== "prediction" && e.kind !== "label")) {
            skipped++;
            continue;
          }
          q.importEntry(e, now);
          restored++;
        } catch {
          skipped++;
        }
      }
      this.metrics.quality.restored.inc({ from: "state_file" }, restored);
      this.log.info({ file: this.file, restored, skipped }, LOG.joinStateLoaded);
      // read once: a later kill must not bring this state back a second time
      rmSync(this.file, { force: true });
    } catch (err) {
      this.log.error({ file: this.file, err: (err as Error).message }, LOG.joinStateUnreadable);
    }
  }
}
