/**
 * Downloading one file (docs/PROTOCOL.md §6, "Download"): DWLD, then OPEN,
 * DATA and HASH from the server. The content lands through a FileSink (the
 * temporary file beside the target, renamed when size and SHA-256 match), and
 * credit goes back to the server in batches as writes finish, so memory stays
 * within the window. An interrupted download keeps its temporary file, which
 * `resume` continues after checking its hash.
 */
import fs from 'node:fs';
import type { Connection, RequestSlot } from '../connection/connection.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { ReceiveWindow } from '../protocol/flow-control.js';
import type { ServerMessage } from '../protocol/messages.js';
import type { TransferResult } from './types.js';
import { cancelledError, failError } from './exchange.js';
import { FileSink, type ResumePoint } from './file-sink.js';
import { closeQuietly, fstatFd, hashPrefix, localError, newContentHash, openFd, partialPathFor } from './local-files.js';
import {
  asBuffer, DOWNLOAD_WINDOW, grantUnderLimit, isCode, RESTART_CODES, type FileTransferJob,
} from './transfer-common.js';

export interface DownloadJob extends FileTransferJob {
  remotePath: string;
  localPath: string;
  /** Receive window to grant (default DOWNLOAD_WINDOW). */
  window?: number;
  /** The caller knows the target cannot exist (its folder was just created): skips a stat per file. */
  targetAbsent?: boolean;
}

const EMPTY = Buffer.alloc(0);


export async function downloadFile(connection: Connection, job: DownloadJob): Promise<TransferResult> {
  const started = performance.now();
  if (job.signal?.aborted) throw cancelledError();
  if (!job.targetAbsent) checkTarget(job.localPath, job.overwrite);
  const partial = partialPathFor(job.localPath);

  let start: ResumePoint = { offset: 0, prefixHash: EMPTY };
  if (job.resume) start = await openPartialForResume(partial, job.localPath);
  try {
    const run = new DownloadRun(connection, job, partial, start);
    const result = await run.done;
    return { ...result, durationMs: performance.now() - started };
  } catch (error) {
    if (start.offset > 0 && isCode(error, ...RESTART_CODES)) {
      // The server's file no longer starts with our bytes (or is shorter): start over.
      const run = new DownloadRun(connection, job, partial, { offset: 0, prefixHash: EMPTY });
      const result = await run.done;
      return { ...result, durationMs: performance.now() - started };
    }
    throw error;
  }
}

/** Without overwrite an existing target is EXISTS before a byte moves; a folder is never replaced. */
export function checkTarget(localPath: string, overwrite: boolean): void {
  let stats: fs.Stats | undefined;
  try {
    stats = fs.lstatSync(localPath, { throwIfNoEntry: false });
  } catch (error) {
    throw localError(error, localPath);
  }
  if (!stats) return;
  if (stats.isDirectory()) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${localPath} is a folder`);
  if (!overwrite) throw new FerryError(ErrorCode.EXISTS, `${localPath} exists`);
}

/** `target` names the download in messages: the temporary file is ours, the target is what the user asked for. */
async function openPartialForResume(partial: string, target: string): Promise<ResumePoint> {
  const hash = newContentHash();
  let fd: number;
  try {
    fd = await openFd(partial, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { offset: 0, prefixHash: EMPTY, hash };
    throw localError(error, target);
  }
  try {
    const { size } = await fstatFd(fd);
    if (size === 0) return { offset: 0, prefixHash: EMPTY, hash, fd };
    const prefixHash = await hashPrefix(fd, size, hash);
    return { offset: size, prefixHash, hash, fd };
  } catch (error) {
    await closeQuietly(fd);
    throw localError(error, target);
  }
}

/** One DWLD request from the first frame to the renamed file. */
class DownloadRun {
  readonly done: Promise<Omit<TransferResult, 'durationMs'>>;
  private resolve!: (result: Omit<TransferResult, 'durationMs'>) => void;
  private reject!: (error: unknown) => void;
  private slot: RequestSlot | undefined;
  /** Exists from OPEN on. */
  private sink: FileSink | undefined;
  private size = 0;
  private readonly credit: ReceiveWindow;
  /** Set once the outcome is decided; later frames are only drained. */
  private stopped = false;
  private readonly onAbort = (): void => this.cancel();

  constructor(
    private readonly connection: Connection,
    private readonly job: DownloadJob,
    private readonly partial: string,
    private readonly start: ResumePoint,
  ) {
    const window = job.window ?? DOWNLOAD_WINDOW;
    this.credit = new ReceiveWindow(job.rateLimit ? job.rateLimit.receiveWindow(window) : window);
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    void this.begin();
  }

  private async begin(): Promise<void> {
    try {
      this.slot = await this.connection.begin({
        onMessage: (msg) => this.onMessage(msg),
        onConnectionLost: (error) => this.fail(error, 'keep'),
      }, this.job.signal);
    } catch (error) {
      await this.fail(error, 'keep');
      return;
    }
    this.connection.send({
      op: 'DWLD', id: this.slot.id, path: this.job.remotePath, offset: this.start.offset,
      prefixHash: this.start.prefixHash, window: this.credit.window,
    });
    this.job.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (this.job.signal?.aborted) this.cancel();
  }

  private onMessage(msg: ServerMessage): void {
    const final = msg.op === 'HASH' || msg.op === 'FAIL';
    if (final) this.slot?.finish();
    if (this.stopped) return;
    switch (msg.op) {
      case 'OPEN':
        this.onOpen(msg);
        return;
      case 'DATA': {
        // Content past the credit is refused before it is buffered: what a server can make us hold is the window.
        const problem = !this.sink ? 'DATA before OPEN'
          : !this.credit.receive(msg.data.length) ? `DATA beyond the credit of ${this.credit.available} bytes`
            : this.sink.accept(msg.offset, asBuffer(msg.data));
        if (problem) this.violation(problem);
        return;
      }
      case 'HASH':
        if (!this.sink) {
          this.violation('HASH before OPEN');
          return;
        }
        void this.finish(this.sink, msg.hash);
        return;
      case 'FAIL':
        // A resumed start the server refused is restarted from 0 by the caller; other failures keep what arrived.
        void this.fail(failError(msg), 'keep');
        return;
      default:
        this.violation(`unexpected ${msg.op} during a download`);
    }
  }

  private onOpen(msg: { offset: number; size: number; mtimeMs: number; mode: number }): void {
    if (this.sink || msg.offset !== this.start.offset || msg.offset > msg.size) {
      this.violation('bad OPEN for a download');
      return;
    }
    this.size = msg.size;
    this.sink = new FileSink({
      partial: this.partial, localPath: this.job.localPath, remotePath: this.job.remotePath, start: this.start,
      size: msg.size, mtimeMs: msg.mtimeMs, mode: msg.mode,
      onWritten: (bytes) => this.credited(bytes),
      onWriteError: (error) => {
        this.cancelOnServer();
        void this.fail(error, 'remove');
      },
    });
    this.job.report?.(this.sink.written, this.size);
  }

  /** `bytes` more are safely taken in: give the credit back in batches and report progress. */
  private credited(bytes: number): void {
    if (this.stopped) return;
    const increment = this.credit.consumed(bytes);
    if (increment > 0) grantUnderLimit(this.connection, this.slot!.id, increment, this.job.rateLimit, () => this.stopped, this.job.signal);
    this.job.report?.(this.sink!.written, this.size);
  }

  private async finish(sink: FileSink, expected: Uint8Array): Promise<void> {
    this.stopped = true;
    this.job.signal?.removeEventListener('abort', this.onAbort);
    try {
      await sink.complete(expected);
    } catch (error) {
      this.reject(error);
      return;
    }
    this.job.report?.(this.size, this.size);
    this.resolve({ bytes: this.size - this.start.offset, size: this.size, resumedFrom: this.start.offset });
  }

  private cancel(): void {
    if (this.stopped) return;
    this.cancelOnServer();
    void this.fail(cancelledError(), 'keep');
  }

  private cancelOnServer(): void {
    if (this.slot && !this.stopped && !this.connection.closed) this.connection.send({ op: 'CANC', id: this.slot.id });
  }

  private violation(what: string): void {
    const error = new FerryError(ErrorCode.BAD_FRAME, `the server broke the protocol: ${what}`);
    void this.fail(error, 'keep');
    this.connection.close(error);
  }

  /**
   * Ends the download with `error` once every issued write has landed, so the
   * temporary file holds exactly the bytes received: kept for a later resume
   * (interruptions), or removed (bad content, local write errors).
   */
  private async fail(error: unknown, partialFile: 'keep' | 'remove'): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.job.signal?.removeEventListener('abort', this.onAbort);
    if (this.sink) {
      await this.sink.abandon(partialFile);
    } else if (this.start.fd !== undefined) {
      await closeQuietly(this.start.fd);
    }
    this.reject(error);
  }
}
