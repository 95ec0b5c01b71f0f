/**
 * A remote file's bytes in order from an offset (RemoteReadStream): RETR
 * after REST on a connection of the pool held for the stream's lifetime.
 * Chunks wait in a queue of at most `window` bytes; past that the data
 * connection is paused (back-pressure through the stream), so a slow reader
 * never makes the client hold the whole file. close() before the end closes
 * the connection, which is how FTP stops a RETR.
 *
 * FTP cannot check a prefix hash: `prefixHash` is not compared, the bytes
 * from `offset` are whatever the file holds now.
 */
import { Writable } from 'node:stream';
import type { Client } from 'basic-ftp';
import type { ReadStreamOptions, RemoteReadStream } from '../../client/types.js';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { remoteFileFacts } from './ftp-download.js';
import { ferryErrorFromFtp } from './ftp-errors.js';

const DEFAULT_WINDOW = 256 * 1024;

export async function openFtpReadStream(
  client: Client, remotePath: string, options: ReadStreamOptions, release: () => void,
): Promise<RemoteReadStream> {
  let facts: { size: number; mtimeMs: number };
  try {
    facts = await remoteFileFacts(client, remotePath);
  } catch (error) {
    release();
    throw error;
  }
  const offset = Math.min(options.offset ?? 0, facts.size);
  return new FtpReadStream(client, remotePath, offset, facts, options, release);
}

class FtpReadStream implements RemoteReadStream {
  private readonly chunks: Buffer[] = [];
  private queued = 0;
  private ended = false;
  private failure: FerryError | undefined;
  private wakeReader: (() => void) | undefined;
  /** The sink's callback held back while the queue is full. */
  private resumeWriter: (() => void) | undefined;
  private released = false;
  private readonly window: number;
  private readonly onAbort = (): void => this.close();

  constructor(
    private readonly client: Client,
    remotePath: string,
    readonly offset: number,
    facts: { size: number; mtimeMs: number },
    private readonly options: ReadStreamOptions,
    private readonly release: () => void,
  ) {
    this.size = facts.size;
    this.mtimeMs = facts.mtimeMs;
    this.window = Math.max(64 * 1024, options.window ?? DEFAULT_WINDOW);
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (offset >= facts.size) {
      this.finish();
      return;
    }
    const sink = new Writable({
      highWaterMark: 64 * 1024,
      write: (chunk: Buffer, _encoding, callback) => {
        this.chunks.push(chunk);
        this.queued += chunk.length;
        this.wake();
        if (this.queued < this.window) callback();
        else this.resumeWriter = () => callback();
      },
    });
    client.downloadTo(sink, remotePath, offset).then(
      () => this.finish(),
      (error: unknown) => this.finish(this.failure ?? ferryErrorFromFtp(error, `reading ${remotePath}`)),
    );
  }

  readonly size: number;
  readonly mtimeMs: number;

  async read(): Promise<Uint8Array | undefined> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) {
        this.queued -= chunk.length;
        if (this.queued < this.window) {
          const resume = this.resumeWriter;
          this.resumeWriter = undefined;
          resume?.();
        }
        return chunk;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => {
        this.wakeReader = resolve;
      });
    }
  }

  close(): void {
    if (this.ended) return;
    this.failure = new FerryError(ErrorCode.CANCELLED, 'the read was closed');
    this.chunks.length = 0;
    this.client.close();
    this.finish(this.failure);
  }

  private finish(error?: FerryError): void {
    if (error && !this.failure) this.failure = error;
    this.ended = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    if (!this.released) {
      this.released = true;
      this.release();
    }
    this.wake();
  }

  private wake(): void {
    const wake = this.wakeReader;
    this.wakeReader = undefined;
    wake?.();
  }
}
