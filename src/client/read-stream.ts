/**
 * Reading a remote file's bytes in order, as far as the caller wants, without
 * landing them in a file (a viewer's window): one DWLD (docs/PROTOCOL.md §6,
 * "Download") whose credit is granted back only as the caller takes bytes,
 * so the server sends at most `window` bytes ahead of the reader, and CANC
 * when the reader has what it needs. Starting past 0 needs the SHA-256 of
 * the bytes before the offset, as for a resumed download.
 */
import type { Connection, RequestSlot } from '../connection/connection.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { ReceiveWindow } from '../protocol/flow-control.js';
import type { ServerMessage } from '../protocol/messages.js';
import { cancelledError, failError } from './exchange.js';
import type { ReadStreamOptions, RemoteReadStream } from './types.js';

/** Bytes the server may send ahead of the reader: a few screens, not the file. */
export const READ_STREAM_WINDOW = 256 * 1024;

const EMPTY = new Uint8Array(0);

export function openReadStream(connection: Connection, remotePath: string, options: ReadStreamOptions = {}): Promise<RemoteReadStream> {
  const offset = options.offset ?? 0;
  const prefixHash = options.prefixHash ?? EMPTY;
  if (options.signal?.aborted) return Promise.reject(cancelledError());
  if ((offset > 0) !== (prefixHash.length > 0)) {
    return Promise.reject(new FerryError(ErrorCode.BAD_FRAME, 'a read from an offset past 0 needs the hash of the bytes before it'));
  }
  return new ReadRun(connection, remotePath, offset, prefixHash, options).opened;
}

class ReadRun implements RemoteReadStream {
  readonly opened: Promise<RemoteReadStream>;
  size = 0;
  mtimeMs = 0;
  private openedResolve!: (stream: RemoteReadStream) => void;
  private openedReject!: (error: unknown) => void;
  private slot: RequestSlot | undefined;
  private readonly credit: ReceiveWindow;
  /** Bytes arrived and not yet read: never more than the window. */
  private readonly queued: Uint8Array[] = [];
  private waiter: { resolve: (data: Uint8Array | undefined) => void; reject: (error: unknown) => void } | undefined;
  private isOpen = false;
  private ended = false;
  private failure: unknown;
  private expectedOffset: number;
  private readonly onAbort = (): void => this.close();

  constructor(
    private readonly connection: Connection,
    remotePath: string,
    readonly offset: number,
    prefixHash: Uint8Array,
    private readonly options: ReadStreamOptions,
  ) {
    this.expectedOffset = offset;
    this.credit = new ReceiveWindow(options.window ?? READ_STREAM_WINDOW);
    this.opened = new Promise((resolve, reject) => {
      this.openedResolve = resolve;
      this.openedReject = reject;
    });
    void this.begin(remotePath, prefixHash);
  }

  private async begin(remotePath: string, prefixHash: Uint8Array): Promise<void> {
    try {
      this.slot = await this.connection.begin({
        onMessage: (msg) => this.onMessage(msg),
        onConnectionLost: (error) => this.stop(error),
      }, this.options.signal);
    } catch (error) {
      this.stop(error);
      return;
    }
    this.connection.send({ op: 'DWLD', id: this.slot.id, path: remotePath, offset: this.offset, prefixHash, window: this.credit.window });
    this.options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private onMessage(msg: ServerMessage): void {
    if (msg.op === 'HASH' || msg.op === 'FAIL') this.slot?.finish();
    if (this.ended) return;
    switch (msg.op) {
      case 'OPEN':
        if (this.isOpen || msg.offset !== this.offset || msg.offset > msg.size) return this.violation('bad OPEN for a read');
        this.isOpen = true;
        this.size = msg.size;
        this.mtimeMs = msg.mtimeMs;
        this.openedResolve(this);
        return;
      case 'DATA':
        if (!this.isOpen) return this.violation('DATA before OPEN');
        if (msg.offset !== this.expectedOffset) return this.violation('DATA out of order');
        if (!this.credit.receive(msg.data.length)) return this.violation(`DATA beyond the credit of ${this.credit.available} bytes`);
        this.expectedOffset += msg.data.length;
        this.deliver(msg.data);
        return;
      case 'HASH':
        if (!this.isOpen) return this.violation('HASH before OPEN');
        // The file ended: what is queued is still read, then read() answers undefined.
        this.ended = true;
        this.options.signal?.removeEventListener('abort', this.onAbort);
        this.settleWaiter();
        return;
      case 'FAIL':
        this.stop(failError(msg));
        return;
      default:
        this.violation(`unexpected ${msg.op} during a read`);
    }
  }

  private deliver(data: Uint8Array): void {
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      this.taken(data.length);
      resolve(data);
    } else this.queued.push(data);
  }

  /** The reader took `bytes`: credit goes back so the server can send that much more. */
  private taken(bytes: number): void {
    if (this.ended || !this.slot) return;
    const increment = this.credit.consumed(bytes);
    if (increment > 0) this.connection.send({ op: 'WIND', id: this.slot.id, increment });
  }

  read(): Promise<Uint8Array | undefined> {
    const next = this.queued.shift();
    if (next) {
      this.taken(next.length);
      return Promise.resolve(next);
    }
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(undefined);
    if (this.waiter) return Promise.reject(new Error('one read at a time'));
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  close(): void {
    if (this.ended) return;
    if (this.slot && !this.connection.closed) this.connection.send({ op: 'CANC', id: this.slot.id });
    this.stop(cancelledError());
  }

  private violation(what: string): void {
    const error = new FerryError(ErrorCode.BAD_FRAME, `the server broke the protocol: ${what}`);
    this.stop(error);
    this.connection.close(error);
  }

  private stop(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    this.queued.length = 0;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.openedReject(error);
    this.settleWaiter();
  }

  private settleWaiter(): void {
    const waiter = this.waiter;
    if (!waiter || this.queued.length > 0) return;
    this.waiter = undefined;
    if (this.failure !== undefined) waiter.reject(this.failure);
    else waiter.resolve(undefined);
  }
}
