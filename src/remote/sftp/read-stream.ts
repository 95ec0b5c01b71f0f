/**
 * A remote file read in order from an offset (the viewer, copies between two
 * remotes): reads are issued ahead of the reader up to the window, and handed
 * out in order. A short read (the file shrank, or a server that answers with
 * less than asked) drops the reads ahead and goes on from where it ended.
 */
import type { RemoteReadStream } from '../../client/types.js';
import { cancelledError } from '../../client/exchange.js';
import type { SftpCalls } from './sftp-calls.js';

const DEFAULT_WINDOW = 256 * 1024;
const SMALLEST_REQUEST = 32 * 1024;

interface Ahead {
  offset: number;
  length: number;
  data: Promise<Buffer>;
}

export class SftpReadStream implements RemoteReadStream {
  private position: number;
  private readonly ahead: Ahead[] = [];
  private readonly depth: number;
  private readonly chunk: number;
  private closed = false;
  private ended = false;
  private readonly onAbort = (): void => this.close();

  constructor(
    private readonly calls: SftpCalls,
    private readonly handle: Buffer,
    private readonly path: string,
    readonly offset: number,
    readonly size: number,
    readonly mtimeMs: number,
    largestRequest: number,
    window: number | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.position = offset;
    // At least four requests share the window, so the next bytes are on their way while the reader takes
    // these: one request the size of the window would leave the link idle between reads.
    const ahead = window ?? DEFAULT_WINDOW;
    this.chunk = Math.min(largestRequest, Math.max(SMALLEST_REQUEST, Math.floor(ahead / 4)));
    this.depth = Math.max(1, Math.floor(ahead / this.chunk));
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private fill(): void {
    let next = this.ahead.length > 0 ? this.ahead.at(-1)!.offset + this.ahead.at(-1)!.length : this.position;
    while (this.ahead.length < this.depth && next < this.size) {
      const length = Math.min(this.chunk, this.size - next);
      const data = this.calls.read(this.handle, this.path, length, next);
      data.catch(() => undefined); // awaited in read(), or dropped with the rest after a short read or close
      this.ahead.push({ offset: next, length, data });
      next += length;
    }
  }

  async read(): Promise<Uint8Array | undefined> {
    if (this.closed) throw cancelledError();
    if (this.ended) return undefined;
    this.fill();
    const head = this.ahead.shift();
    if (!head) {
      this.finish();
      return undefined;
    }
    const data = await head.data;
    if (this.closed) throw cancelledError();
    if (data.length === 0) {
      this.finish();
      return undefined;
    }
    this.position += data.length;
    if (data.length < head.length) this.ahead.length = 0;
    return data;
  }

  private finish(): void {
    this.ended = true;
    this.release();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ahead.length = 0;
    if (!this.ended) this.release();
  }

  private release(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    void this.calls.close(this.handle, this.path).catch(() => undefined);
  }
}
