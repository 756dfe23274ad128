import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { AuditExporter, ExportedAuditEvent } from './audit-exporter';

const BATCH_SIZE = 100;
/** Events wait this long for others to share their request. */
const BATCH_DELAY_MS = 200;
const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 30_000;
const REQUEST_TIMEOUT_MS = 5_000;
/** Held in memory while the receiver is down; beyond this the oldest are dropped, and counted in the log. */
const MAX_QUEUED = 10_000;

/** The signature a receiver recomputes: HMAC-SHA256 of `<timestamp>.<body>`, hex, as X-Audit-Signature: sha256=…. */
export function auditSignature(secret: Buffer, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * POSTs committed audit events to AUDIT_WEBHOOK_URL in batches (`{"events": [...]}`), in order, each
 * request signed (X-Audit-Timestamp, X-Audit-Signature) and retried with backoff until the receiver
 * answers 2xx. At least once: a retried batch may arrive twice, so receivers dedupe by event id. The
 * queue lives in memory: events still queued when the process dies are in audit_events only.
 */
export class WebhookAuditExport extends AuditExporter implements OnApplicationShutdown {
  private readonly logger = new Logger(WebhookAuditExport.name);
  private readonly queue: ExportedAuditEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending = false;
  private retryMs = FIRST_RETRY_MS;
  private dropped = 0;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly secret: Buffer,
  ) {
    super();
  }

  export(event: ExportedAuditEvent): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.queue.shift();
      this.dropped += 1;
    }
    this.queue.push(event);
    this.schedule(BATCH_DELAY_MS);
  }

  /** One last attempt at what is queued, bounded, so a stopping instance does not hold its shutdown. */
  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    if (!this.sending && this.queue.length > 0) await this.sendBatch().catch(() => undefined);
    if (this.queue.length > 0) this.logger.warn(`${this.queue.length} audit events not delivered before shutdown`);
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.sending || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        if (!(await this.sendBatch())) {
          this.sending = false;
          this.schedule(this.retryMs);
          this.retryMs = Math.min(this.retryMs * 2, LAST_RETRY_MS);
          return;
        }
        this.retryMs = FIRST_RETRY_MS;
      }
    } finally {
      this.sending = false;
    }
  }

  /** True when the receiver took the batch at the head of the queue. */
  private async sendBatch(): Promise<boolean> {
    const batch = this.queue.slice(0, BATCH_SIZE);
    const body = JSON.stringify({ events: batch });
    const timestamp = String(Math.floor(Date.now() / 1000));
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-audit-timestamp': timestamp,
          'x-audit-signature': auditSignature(this.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (!response.ok) {
        this.logger.warn(`Audit webhook answered ${response.status}; retrying in ${this.retryMs} ms`);
        return false;
      }
    } catch (error) {
      this.logger.warn(`Audit webhook unreachable (${(error as Error).message}); retrying in ${this.retryMs} ms`);
      return false;
    }
    this.queue.splice(0, batch.length);
    if (this.dropped > 0) {
      this.logger.warn(`${this.dropped} audit events were dropped from the export queue while the webhook was down`);
      this.dropped = 0;
    }
    return true;
  }
}
