/**
 * FTP runs one command or transfer at a time per control connection, so a
 * session keeps a small pool of logged-in connections (up to 8, like
 * `lftp mirror --parallel=8`): listings, transfers of a tree and the queue's
 * parallel transfers each take one, and more are opened as they are needed.
 *
 * A connection that fails (the server dropped it, a cancelled transfer
 * closed it) is discarded when it comes back and the next caller opens a
 * fresh one, so one broken member never holds up the others. Idle members
 * the server closed meanwhile are skipped the same way.
 */
import type { Client } from 'basic-ftp';
import { ErrorCode, FerryError } from '../../protocol/errors.js';

export const DEFAULT_POOL_SIZE = 8;

export class FtpPool {
  private readonly idle: Client[] = [];
  private readonly members = new Set<Client>();
  /** Members open or being opened. */
  private count = 0;
  private waiters: (() => void)[] = [];
  private closedWith: FerryError | undefined;

  constructor(
    private readonly open: () => Promise<Client>,
    readonly size: number = DEFAULT_POOL_SIZE,
    first?: Client,
  ) {
    if (first) {
      this.members.add(first);
      this.count = 1;
      this.idle.push(first);
    }
  }

  /**
   * A connection for the caller alone until release(); `reused` says it sat
   * idle before, so it may have been closed by the server unnoticed.
   */
  async acquire(signal?: AbortSignal): Promise<{ client: Client; reused: boolean }> {
    for (;;) {
      if (this.closedWith) throw this.closedWith;
      if (signal?.aborted) throw new FerryError(ErrorCode.CANCELLED, 'cancelled');
      const ready = this.takeIdle();
      if (ready) return { client: ready, reused: true };
      if (this.count < this.size) {
        this.count++;
        try {
          const client = await this.open();
          if (this.closedWith) {
            client.close();
            throw this.closedWith;
          }
          this.members.add(client);
          return { client, reused: false };
        } catch (error) {
          this.count--;
          this.wakeOne();
          throw error;
        }
      }
      await this.waitForChange(signal);
    }
  }

  /** Gives a connection back: kept if it still works, discarded (making room for a new one) if not. */
  release(client: Client): void {
    if (client.closed || this.closedWith) {
      this.discard(client);
    } else {
      this.idle.push(client);
    }
    this.wakeOne();
  }

  /** Closes every connection, busy ones too; later calls reject with `reason`. */
  close(reason: FerryError): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    for (const client of this.members) client.close();
    this.members.clear();
    this.idle.length = 0;
    this.count = 0;
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Idle members, for a polite QUIT on each. */
  idleMembers(): readonly Client[] {
    return this.idle;
  }

  private takeIdle(): Client | undefined {
    for (let client = this.idle.pop(); client; client = this.idle.pop()) {
      if (!client.closed) return client;
      this.discard(client);
    }
    return undefined;
  }

  private discard(client: Client): void {
    client.close();
    if (this.members.delete(client)) this.count--;
  }

  private wakeOne(): void {
    this.waiters.shift()?.();
  }

  private waitForChange(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((each) => each !== wake);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(wake);
    });
  }
}
