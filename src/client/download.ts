/**
 * Downloading one file (docs/PROTOCOL.md §6, "Download"). Content lands in
 * `.<name>.ferry-part` beside the target, written at its offset as each DATA
 * frame arrives (positional writes run on the thread pool while the main
 * thread hashes the next frame), and credit goes back to the server as each
 * write finishes, so memory stays within the window. Only when the size and
 * the SHA-256 match is the file renamed into place; an interrupted download
 * keeps its temporary file, which `resume` continues after checking its hash.
 */
import type { Hash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { Connection, RequestSlot } from '../connection/connection.js';
import { hashWorkers, OFF_THREAD_HASH_BYTES, type OffThreadHash } from '../hashing/hash-worker.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import type { ServerMessage } from '../protocol/messages.js';
import type { TransferResult } from './types.js';
import { cancelledError, failError } from './exchange.js';
import {
  applyTimesAndMode, applyTimesAndModeNow, closeFd, closeQuietly, fstatFd, hashPrefix, localError, newContentHash, openFd, partialPathFor,
  writeAll,
} from './local-files.js';
import {
  asBuffer, DOWNLOAD_WINDOW, isCode, RESTART_CODES, sameBytes, type FileTransferJob,
} from './transfer-common.js';

/**
 * The client hashes on a worker thread only with more than two cores. On two
 * cores the worker competes with the disk writes and, on the same machine, with
 * ferryd itself: the bench measured 1 GiB downloads at 1.34 × the raw pipe with
 * the worker against 1.24 × hashing on the main thread. FERRY_CLIENT_HASH_WORKER=1
 * or 0 forces the choice.
 */
const CLIENT_HASH_WORKER = process.env.FERRY_CLIENT_HASH_WORKER === undefined
  ? os.availableParallelism() > 2
  : process.env.FERRY_CLIENT_HASH_WORKER === '1';

export interface DownloadJob extends FileTransferJob {
  remotePath: string;
  localPath: string;
  /** Receive window to grant (default DOWNLOAD_WINDOW). */
  window?: number;
  /** The caller knows the target cannot exist (its folder was just created): skips a stat per file. */
  targetAbsent?: boolean;
}

const EMPTY = Buffer.alloc(0);

/**
 * A download of at most this many bytes from the start is kept in memory and
 * written when its hash has been checked: open, write, set times and mode,
 * close and rename in one synchronous run. Each of those calls takes
 * microseconds on a local disk; through the thread pool each costs a round
 * trip, and a tree of thousands of small files is made of little else.
 */
const SMALL_DOWNLOAD_BYTES = 256 * 1024;

export async function downloadFile(connection: Connection, job: DownloadJob): Promise<TransferResult> {
  const started = performance.now();
  if (job.signal?.aborted) throw cancelledError();
  if (!job.targetAbsent) checkTarget(job.localPath, job.overwrite);
  const partial = partialPathFor(job.localPath);

  let start: ResumePoint = { offset: 0, prefixHash: EMPTY, hash: newContentHash() };
  if (job.resume) start = await openPartialForResume(partial, job.localPath);
  try {
    const run = new DownloadRun(connection, job, partial, start);
    const result = await run.done;
    return { ...result, durationMs: performance.now() - started };
  } catch (error) {
    if (start.offset > 0 && isCode(error, ...RESTART_CODES)) {
      // The server's file no longer starts with our bytes (or is shorter): start over.
      const run = new DownloadRun(connection, job, partial, { offset: 0, prefixHash: EMPTY, hash: newContentHash() });
      const result = await run.done;
      return { ...result, durationMs: performance.now() - started };
    }
    throw error;
  }
}

/** Without overwrite an existing target is EXISTS before a byte moves; a folder is never replaced. */
function checkTarget(localPath: string, overwrite: boolean): void {
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

interface ResumePoint {
  offset: number;
  prefixHash: Buffer;
  /** Already fed with the first `offset` bytes. */
  hash: Hash;
  /** The temporary file, open for writing, when resuming. */
  fd?: number;
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
  private fdReady: Promise<number> | undefined;
  private fdClosed = false;
  private opened = false;
  private size = 0;
  private mtimeMs = 0;
  private mode = 0;
  /** Next offset expected in DATA. */
  private received: number;
  /** Bytes durably handed to the file so far (contiguous: writes are issued in order and all awaited). */
  private written: number;
  private pendingWrites = 0;
  private idleWaiters: (() => void)[] = [];
  private finalHash: Uint8Array | undefined;
  /** A small download's content, held until its hash is checked (SMALL_DOWNLOAD_BYTES). */
  private inMemory: Buffer[] | undefined;
  /** Large downloads from the start hash on the worker thread, leaving this one to the socket and the disk. */
  private offThread: OffThreadHash | undefined;
  /** Written bytes not yet granted back to the server; sent in batches to spare a socket write per frame. */
  private ungranted = 0;
  private readonly window: number;
  private readonly grantThreshold: number;
  /** Set once the outcome is decided; later frames are only drained. */
  private stopped = false;
  private readonly onAbort = (): void => this.cancel();

  constructor(
    private readonly connection: Connection,
    private readonly job: DownloadJob,
    private readonly partial: string,
    private readonly start: ResumePoint,
  ) {
    this.received = start.offset;
    this.written = start.offset;
    this.window = job.window ?? DOWNLOAD_WINDOW;
    // Granting in quarters of the window keeps at least three quarters in flight: the link never idles.
    this.grantThreshold = Math.max(1, Math.floor(this.window / 4));
    if (start.fd !== undefined) this.fdReady = Promise.resolve(start.fd);
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
      prefixHash: this.start.prefixHash, window: this.window,
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
      case 'DATA':
        this.onData(msg.offset, asBuffer(msg.data));
        return;
      case 'HASH':
        this.finalHash = msg.hash;
        this.completeWhenWritten();
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
    if (this.opened || msg.offset !== this.start.offset || msg.offset > msg.size) {
      this.violation('bad OPEN for a download');
      return;
    }
    this.opened = true;
    this.size = msg.size;
    this.mtimeMs = msg.mtimeMs;
    this.mode = msg.mode;
    // A resumed download's hash already holds its prefix and continues here.
    if (CLIENT_HASH_WORKER && msg.offset === 0 && msg.size >= OFF_THREAD_HASH_BYTES) this.offThread = hashWorkers.start();
    if (!this.fdReady && msg.offset === 0 && msg.size <= SMALL_DOWNLOAD_BYTES) {
      this.inMemory = [];
    } else if (!this.fdReady) {
      // Created only now, so a refused request leaves no empty temporary file behind.
      this.fdReady = openFd(this.partial, 'w', 0o600);
      this.fdReady.catch((error: unknown) => {
        this.cancelOnServer();
        void this.fail(localError(error, this.job.localPath), 'keep');
      });
    }
    this.job.report?.(this.written, this.size);
  }

  private onData(offset: number, data: Buffer): void {
    if (!this.opened || offset !== this.received || offset + data.length > this.size) {
      this.violation(`DATA at ${offset} (+${data.length}) does not follow ${this.received} within ${this.size} bytes`);
      return;
    }
    // Credit goes back only once the frame is both written and hashed, so a lagging hash worker
    // slows the sender instead of queueing copies without bound.
    let hashed: Promise<void> | undefined;
    if (this.offThread) hashed = this.offThread.update(data);
    else this.start.hash.update(data);
    this.received += data.length;
    if (this.inMemory) {
      this.inMemory.push(data);
      this.credited(data.length);
      return;
    }
    this.pendingWrites++;
    const written = this.fdReady!.then((fd) => writeAll(fd, data, offset));
    (hashed ? Promise.all([written, hashed]) : written).then(() => {
      this.pendingWrites--;
      this.credited(data.length);
      this.wakeIdle();
      this.completeWhenWritten();
    }, (error: unknown) => {
      this.pendingWrites--;
      this.wakeIdle();
      this.cancelOnServer();
      void this.fail(localError(error, this.job.localPath), 'remove');
    });
  }

  /** `bytes` more are safely taken in: count them and give the credit back in batches. */
  private credited(bytes: number): void {
    this.written += bytes;
    if (this.stopped) return;
    this.ungranted += bytes;
    if (this.ungranted >= this.grantThreshold) {
      this.connection.send({ op: 'WIND', id: this.slot!.id, increment: this.ungranted });
      this.ungranted = 0;
    }
    this.job.report?.(this.written, this.size);
  }

  private completeWhenWritten(): void {
    if (this.stopped || !this.finalHash || this.pendingWrites > 0) return;
    if (!this.opened) {
      this.violation('HASH before OPEN');
      return;
    }
    this.stopped = true;
    void this.finish(this.finalHash);
  }

  private async finish(expected: Uint8Array): Promise<void> {
    this.job.signal?.removeEventListener('abort', this.onAbort);
    try {
      if (this.received !== this.size) {
        throw new FerryError(ErrorCode.SIZE_MISMATCH, `received ${this.received} of ${this.size} bytes`);
      }
      const digest = this.offThread ? await this.offThread.digest() : this.start.hash.digest();
      if (!sameBytes(digest, expected)) {
        throw new FerryError(ErrorCode.HASH_MISMATCH, `the content of ${this.job.remotePath} does not match its hash`);
      }
      if (this.inMemory) {
        this.writeInMemoryFile(this.inMemory);
        this.job.report?.(this.size, this.size);
        this.resolve({ bytes: this.size, size: this.size, resumedFrom: 0 });
        return;
      }
      const fd = await this.fdReady!;
      try {
        await applyTimesAndMode(fd, this.mtimeMs, this.mode);
      } finally {
        this.fdClosed = true;
        await closeFd(fd);
      }
      await fs.promises.rename(this.partial, this.job.localPath);
    } catch (error) {
      this.offThread?.drop();
      if (!this.inMemory) await fs.promises.rm(this.partial, { force: true });
      this.reject(localError(error, this.job.localPath));
      return;
    }
    this.job.report?.(this.size, this.size);
    this.resolve({ bytes: this.size - this.start.offset, size: this.size, resumedFrom: this.start.offset });
  }

  /**
   * The verified content of a small download goes to its temporary file and
   * is renamed into place, all synchronously; on failure the temporary file
   * is removed (it never held a whole verified file worth resuming).
   */
  private writeInMemoryFile(content: Buffer[]): void {
    let fd: number | undefined;
    try {
      fd = fs.openSync(this.partial, 'w', 0o600);
      let position = 0;
      for (const piece of content) {
        for (let done = 0; done < piece.length;) {
          done += fs.writeSync(fd, piece, done, piece.length - done, position + done);
        }
        position += piece.length;
      }
      applyTimesAndModeNow(fd, this.mtimeMs, this.mode);
      fs.closeSync(fd);
      fd = undefined;
      fs.renameSync(this.partial, this.job.localPath);
    } catch (error) {
      if (fd !== undefined) void closeQuietly(fd);
      fs.rmSync(this.partial, { force: true });
      throw error;
    }
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
    this.offThread?.drop();
    await this.whenIdle();
    const fd = await this.fdReady?.catch(() => undefined);
    if (fd !== undefined && !this.fdClosed) {
      this.fdClosed = true;
      await closeQuietly(fd);
    }
    if (partialFile === 'remove' && this.fdReady) await fs.promises.rm(this.partial, { force: true });
    this.reject(error);
  }

  private whenIdle(): Promise<void> {
    if (this.pendingWrites === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdle(): void {
    if (this.pendingWrites > 0) return;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
