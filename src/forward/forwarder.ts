// forward: a sidecar's or node agent's analysed predictions go to the label join of one other
// agent (POST <url>/v1/predictions, NDJSON of {model, id, version, time, prediction}: never the
// features), so labels sent to that agent join the predictions of every replica. Never on the
// proxy's path, bounded and fail-open: events are offered from analysis into a bounded buffer
// (full: counted `dropped`), batches go out one request at a time, a batch still refused or
// unreachable after retries is counted `failed` and logged (throttled); at stop the buffer gets
// the grace to drain and what is left is counted `dropped`. Secrets stay out of logs: the URL is
// logged without userinfo or query (the config refuses both anyway).
import { request } from "undici";
import type { InferenceEvent } from "../adapters/inferenceEvent.js";
import type { ForwardConfig } from "../config/model.js";
import { type Logger, silentLogger } from "../export/logger.js";
import { LOG } from "../export/logMessages.js";
import { LogThrottle } from "../export/logThrottle.js";
import { BatchingSender } from "./batchingSender.js";
import type { ForwardMetrics } from "./forwardMetrics.js";
import { type HttpClient, httpClient } from "./httpClient.js";

/** Path of the joining agent's ingest that takes forwarded predictions. */
export const PREDICTIONS_PATH = "/v1/predictions";
/** Attempts per batch (the first and two retries), then the batch is `failed`. */
const ATTEMPTS = 3;
const RETRY_BASE_MS = 250;

/** What crosses the wire per prediction: what the join needs, nothing more. */
export interface ForwardedPrediction {
  model: string;
  id: string;
  version: string;
  time: number;
  prediction?: unknown;
  /** ground truth sent with the prediction (POST /v1/events): joined at once by the receiver */
  label?: unknown;
  /** the A/B variant (models[].variants): the join counts quality per variant */
  variant?: string;
}

export interface ForwarderOptions {
  config: ForwardConfig;
  metrics: ForwardMetrics;
  logger?: Logger;
  now?: () => number;
}

/** `scheme://host[:port]/path` of a URL, for logs. */
export const redactedUrl = (u: string): string => {
  const x = new URL(u);
  return `${x.protocol}//${x.host}${x.pathname}`;
};

export class PredictionForwarder {
  private readonly sender: BatchingSender<string>;
  private readonly client: HttpClient;
  private readonly log: Logger;
  private readonly throttle: LogThrottle;
  private readonly target: string;

  constructor(private readonly o: ForwarderOptions) {
    this.log = o.logger ?? silentLogger;
    this.throttle = new LogThrottle(10_000, o.now ?? Date.now);
    this.client = httpClient(o.config, o.config.timeoutMs);
    this.target = `${o.config.url}${PREDICTIONS_PATH}`;
    this.sender = new BatchingSender<string>({
      capacity: o.config.queueSize,
      batchSize: o.config.batchSize,
      lingerMs: o.config.flushIntervalMs,
      lingerAfterSend: true,
      send: (batch) => this.sendBatch(batch),
      dropped: (n) => o.metrics.forwarded.dropped.inc(n),
      release: () => this.client.close(),
    });
  }

  /** Events waiting to be sent. */
  get buffered(): number {
    return this.sender.buffered;
  }

  /** Non-blocking: queues the prediction, or counts it dropped when the buffer is full. */
  offer(e: InferenceEvent): boolean {
    const taken = this.sender.offer(() => {
      const p: ForwardedPrediction = { model: e.model, id: e.id, version: e.version, time: e.time };
      if (e.prediction !== undefined) p.prediction = e.prediction;
      if (e.label !== undefined) p.label = e.label;
      if (e.variant !== undefined) p.variant = e.variant;
      return JSON.stringify(p);
    });
    if (!taken) {
      const t = this.throttle.take("full");
      if (t)
        this.log.warn(
          { url: redactedUrl(this.o.config.url), buffered: this.sender.buffered, suppressed: t.suppressed },
          LOG.forwardBufferFull,
        );
    }
    return taken;
  }

  /** Sends what is buffered (within `graceMs`); the rest is counted dropped. */
  close(graceMs = 2_000): Promise<void> {
    return this.sender.close(graceMs);
  }

  private async sendBatch(batch: string[]): Promise<void> {
    const body = `${batch.join("\n")}\n`;
    let last = "";
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const r = await this.post(body);
      if (r.ok) {
        this.o.metrics.forwarded.sent.inc(batch.length);
        return;
      }
      last = r.reason;
      // a refusal (bad credentials, a path the agent does not serve) will not change on retry
      if (!r.retry || this.sender.closed) break;
      await new Promise((res) => setTimeout(res, RETRY_BASE_MS * 2 ** (attempt - 1)).unref());
    }
    this.o.metrics.forwarded.failed.inc(batch.length);
    const t = this.throttle.take(`failed:${last}`);
    if (t)
      this.log.warn(
        {
          url: redactedUrl(this.o.config.url),
          reason: last,
          predictions: batch.length,
          suppressed: t.suppressed,
        },
        LOG.forwardFailed,
      );
  }

  private async post(body: string): Promise<{ ok: true } | { ok: false; retry: boolean; reason: string }> {
    let auth: string | undefined;
    try {
      auth = this.client.authorization();
    } catch (err) {
      return { ok: false, retry: false, reason: (err as Error).message };
    }
    try {
      const res = await request(this.target, {
        method: "POST",
        dispatcher: this.client.dispatcher,
        headers: {
          "content-type": "application/x-ndjson",
          ...(auth !== undefined && { authorization: auth }),
        },
        body,
        headersTimeout: this.o.config.timeoutMs,
        bodyTimeout: this.o.config.timeoutMs,
      });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true };
      const retry = res.statusCode >= 500 || res.statusCode === 429;
      return { ok: false, retry, reason: `HTTP ${res.statusCode}` };
    } catch (err) {
      return { ok: false, retry: true, reason: (err as NodeJS.ErrnoException).code ?? "connection error" };
    }
  }
}
