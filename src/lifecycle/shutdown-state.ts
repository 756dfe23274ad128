import { Injectable } from '@nestjs/common';

/**
 * Whether this instance has begun shutting down. From SIGTERM on, readiness answers 503 (so load
 * balancers stop routing here) and every response closes its connection (so keep-alive clients
 * reconnect elsewhere) while requests are still served.
 */
@Injectable()
export class ShutdownState {
  private drainingSince?: Date;

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  beginDraining(): void {
    this.drainingSince ??= new Date();
  }
}
