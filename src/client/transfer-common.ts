/** Pieces shared by uploads and downloads. */
import type { Connection } from '../connection/connection.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { SendWindow } from '../protocol/flow-control.js';
import type { ServerMessage } from '../protocol/messages.js';
import type { RateLimit } from './rate-limit.js';

/** Receive window a download grants: deep enough to keep a fast link busy, small enough to bound memory. */
export const DOWNLOAD_WINDOW = 16 * 1024 * 1024;

/** Content bytes per DATA frame we send: large frames keep per-frame costs negligible. */
export const PREFERRED_CHUNK = 1024 * 1024;

export interface TransferContext {
  connection: Connection;
  /** Largest DATA content we may send in one frame. */
  chunkSize: number;
}

/** Where the bytes of a file stand: everything up to `bytes` is at the destination. */
export type ProgressReport = (bytes: number, total: number) => void;

export interface FileTransferJob {
  overwrite: boolean;
  resume: boolean;
  signal?: AbortSignal;
  report?: ProgressReport;
  /** A bandwidth limit shared with other transfers. */
  rateLimit?: RateLimit | undefined;
}

/** Credit granted by the receiver of our DATA (docs/PROTOCOL.md §5), awaited until some is there. */
export class SendCredit {
  private readonly window = new SendWindow();
  private wake: (() => void) | undefined;
  private failure: FerryError | undefined;

  add(bytes: number): void {
    this.window.grant(bytes);
    this.wakeUp();
  }

  fail(error: FerryError): void {
    this.failure ??= error;
    this.wakeUp();
  }

  /** Waits until some credit is there and takes up to `wanted` bytes of it. */
  async take(wanted: number): Promise<number> {
    for (;;) {
      if (this.failure) throw this.failure;
      const n = this.window.take(wanted);
      if (n > 0) return n;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/**
 * Sends `chunk` (file bytes from `offset`) as DATA of request `id`, in pieces
 * as large as the credit allows, waiting for credit and for the socket to
 * drain; `onSent` hears of each piece's length. Under a `limit`, each piece
 * is a slice of it and waits for its tokens before it goes.
 */
export async function sendWithinCredit(
  connection: Connection, credit: SendCredit, id: number, offset: number, chunk: Buffer, onSent: (bytes: number) => void,
  limit?: { rateLimit?: RateLimit | undefined; signal?: AbortSignal | undefined },
): Promise<void> {
  let sent = 0;
  const rateLimit = limit?.rateLimit;
  while (sent < chunk.length) {
    const wanted = chunk.length - sent;
    const n = await credit.take(rateLimit ? rateLimit.slice(wanted) : wanted);
    if (rateLimit) await rateLimit.take(n, limit?.signal);
    const part = sent === 0 && n === chunk.length ? chunk : chunk.subarray(sent, sent + n);
    if (!connection.sendData(id, offset + sent, part)) await connection.drained();
    sent += n;
    onSent(n);
  }
}

/** Replies of one request, awaited one at a time. */
export class ReplyMailbox {
  private readonly queue: ServerMessage[] = [];
  private waiter: { resolve: (msg: ServerMessage) => void; reject: (error: FerryError) => void } | undefined;
  private failure: FerryError | undefined;

  push(msg: ServerMessage): void {
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve(msg);
    } else {
      this.queue.push(msg);
    }
  }

  fail(error: FerryError): void {
    this.failure ??= error;
    if (this.waiter) {
      const { reject } = this.waiter;
      this.waiter = undefined;
      reject(this.failure);
    }
  }

  next(): Promise<ServerMessage> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
}

export function isCode(error: unknown, ...codes: number[]): boolean {
  return error instanceof FerryError && codes.includes(error.code);
}

export const RESTART_CODES = [ErrorCode.HASH_MISMATCH, ErrorCode.SIZE_MISMATCH];

/**
 * Gives `increment` bytes of credit back (WIND) for request `id`, after the
 * bandwidth limit's tokens for them when there is a limit: withheld credit is
 * what slows a server's sending. Under a limit the credit goes back in slices
 * of the limit's burst, each after its tokens (a DATA frame, and so an
 * increment, can be as large as the whole window), so what passes the limit
 * at any moment stays within the window plus a burst or two. Nothing goes once
 * `stopped()` or the connection closed meanwhile.
 */
export function grantUnderLimit(
  connection: Connection, id: number, increment: number, rateLimit: RateLimit | undefined, stopped: () => boolean,
  signal?: AbortSignal,
): void {
  if (!rateLimit || rateLimit.rate === undefined) {
    connection.send({ op: 'WIND', id, increment });
    return;
  }
  void (async () => {
    for (let left = increment; left > 0;) {
      const slice = rateLimit.slice(left);
      await rateLimit.take(slice, signal);
      if (stopped() || connection.closed) return;
      connection.send({ op: 'WIND', id, increment: slice });
      left -= slice;
    }
  })().catch(() => undefined);
}
