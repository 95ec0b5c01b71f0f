/**
 * Where the content of one downloaded file lands: `.<name>.ferry-part` beside
 * the target, written at its offset as each DATA frame arrives (positional
 * writes run on the thread pool while the main thread hashes the next frame).
 * Only when the size and the SHA-256 match is the file renamed into place; an
 * interrupted download keeps its temporary file for a later resume.
 *
 * Used by a single download (DWLD) and by every file of a tree download
 * (TGET); the owner of the request turns `onWritten` into credit (WIND).
 */
import type { Hash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { contentHashOf } from '../hashing/content-hash.js';
import { hashWorkers, OFF_THREAD_HASH_BYTES, type OffThreadHash } from '../hashing/hash-worker.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { applyTimesAndModeNow, closeQuietly, localError, newContentHash, openFd, writeAll } from './local-files.js';
import { sameBytes } from './transfer-common.js';

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

/**
 * A download of at most this many bytes from the start is kept in memory and
 * written when its hash has been checked: open, write, set times and mode,
 * close and rename in one synchronous run. Each of those calls takes
 * microseconds on a local disk; through the thread pool each costs a round
 * trip, and a tree of thousands of small files is made of little else.
 */
const SMALL_DOWNLOAD_BYTES = 256 * 1024;

/** The umask, read once (process.umask() without an argument only reads it). */
const PROCESS_UMASK = process.umask();

/** Where a download starts: from 0, or after the bytes of a temporary file being resumed. */
export interface ResumePoint {
  offset: number;
  /** SHA-256 of the first `offset` bytes (empty from 0). */
  prefixHash: Buffer;
  /** Already fed with the first `offset` bytes; none from 0, where the sink hashes as suits the size. */
  hash?: Hash;
  /** The temporary file, open for writing, when resuming. */
  fd?: number;
}

export interface FileSinkOptions {
  /** The temporary file and the final name. */
  partial: string;
  localPath: string;
  /** The remote path, for messages. */
  remotePath: string;
  start: ResumePoint;
  /** The whole file's size, mtime (ms) and permission bits (0: leave the default), as the server stated them. */
  size: number;
  mtimeMs: number;
  mode: number;
  /** `bytes` more are safely taken in (written, or held for a small file): the owner grants credit. */
  onWritten(bytes: number): void;
  /** A write to the temporary file failed: the owner ends the request (and calls `abandon('remove')`). */
  onWriteError(error: FerryError): void;
}

export class FileSink {
  /** Next offset expected in DATA. */
  received: number;
  /** Bytes handed to the file (or memory) so far. */
  written: number;
  private fdReady: Promise<number> | undefined;
  private fdClosed = false;
  private pendingWrites = 0;
  private idleWaiters: (() => void)[] = [];
  /** A small download's content, held until its hash is checked (SMALL_DOWNLOAD_BYTES). */
  private inMemory: Buffer[] | undefined;
  /** Large downloads from the start hash on the worker thread, leaving this one to the socket and the disk. */
  private offThread: OffThreadHash | undefined;
  /**
   * The running hash of every other download: a resumed one's already holds
   * its prefix. A small one held in memory has none; it is hashed whole at
   * the end (contentHashOf).
   */
  private readonly hash: Hash | undefined;
  private ended = false;
  /** The first failed write: the file can never complete. */
  private writeFailure: FerryError | undefined;

  constructor(private readonly options: FileSinkOptions) {
    const { start, size } = options;
    this.received = start.offset;
    this.written = start.offset;
    if (start.fd !== undefined) this.fdReady = Promise.resolve(start.fd);
    // A resumed download's hash already holds its prefix and continues here.
    if (CLIENT_HASH_WORKER && start.offset === 0 && size >= OFF_THREAD_HASH_BYTES) this.offThread = hashWorkers.start();
    if (!this.fdReady && start.offset === 0 && size <= SMALL_DOWNLOAD_BYTES) {
      this.inMemory = [];
    } else if (!this.fdReady) {
      // Created only now that the server has opened the file, so a refused request leaves no empty temporary file.
      this.fdReady = openFd(options.partial, 'w', 0o600);
      this.fdReady.catch((error: unknown) => this.writeFailed(error));
    }
    if (!this.offThread && !this.inMemory) this.hash = start.hash ?? newContentHash();
  }

  /** Takes one DATA frame; returns what is wrong with it when it does not follow on (a protocol violation). */
  accept(offset: number, data: Buffer): string | undefined {
    if (offset !== this.received || offset + data.length > this.options.size) {
      return `DATA at ${offset} (+${data.length}) does not follow ${this.received} within ${this.options.size} bytes`;
    }
    // Credit goes back only once the frame is both written and hashed, so a lagging hash worker
    // slows the sender instead of queueing copies without bound.
    let hashed: Promise<void> | undefined;
    if (this.offThread) hashed = this.offThread.update(data);
    else this.hash?.update(data); // none for a small download in memory: hashed whole at the end
    this.received += data.length;
    if (this.inMemory) {
      this.inMemory.push(data);
      this.taken(data.length);
      return undefined;
    }
    this.pendingWrites++;
    const written = this.fdReady!.then((fd) => writeAll(fd, data, offset));
    (hashed ? Promise.all([written, hashed]) : written).then(() => {
      this.pendingWrites--;
      this.taken(data.length);
      this.wakeIdle();
    }, (error: unknown) => {
      this.pendingWrites--;
      this.writeFailed(error);
      this.wakeIdle();
    });
    return undefined;
  }

  private writeFailed(error: unknown): void {
    if (this.writeFailure) return;
    // Messages name what the user asked for; the temporary file is ours.
    this.writeFailure = localError(error, this.options.localPath);
    this.options.onWriteError(this.writeFailure);
  }

  private taken(bytes: number): void {
    this.written += bytes;
    if (!this.ended) this.options.onWritten(bytes);
  }

  /**
   * The server's HASH arrived: once every write has landed, checks size and
   * hash and renames the file into place. On failure the temporary file is
   * removed (its content is wrong) and the error thrown.
   */
  async complete(expected: Uint8Array): Promise<void> {
    // Writes still landing count (and give credit back) as usual: in a tree, the credit is shared.
    await this.whenIdle();
    this.ended = true;
    const { size, partial, localPath, remotePath } = this.options;
    try {
      if (this.writeFailure) throw this.writeFailure;
      if (this.received !== size) {
        throw new FerryError(ErrorCode.SIZE_MISMATCH, `received ${this.received} of ${size} bytes`);
      }
      const digest = this.offThread ? await this.offThread.digest()
        : this.inMemory ? contentHashOf(this.inMemory) : this.hash!.digest();
      if (!sameBytes(digest, expected)) {
        throw new FerryError(ErrorCode.HASH_MISMATCH, `the content of ${remotePath} does not match its hash`);
      }
      if (this.inMemory) {
        this.writeInMemoryFile(this.inMemory);
        return;
      }
      const fd = await this.fdReady!;
      try {
        applyTimesAndModeNow(fd, this.options.mtimeMs, this.options.mode);
      } finally {
        this.fdClosed = true;
        fs.closeSync(fd);
      }
      fs.renameSync(partial, localPath);
    } catch (error) {
      this.offThread?.drop();
      if (!this.inMemory) fs.rmSync(partial, { force: true });
      throw localError(error, localPath);
    }
  }

  /**
   * Ends the file without completing it, once every issued write has landed,
   * so the temporary file holds exactly the bytes received: kept for a later
   * resume (interruptions), or removed (bad content, local write errors).
   */
  async abandon(partialFile: 'keep' | 'remove'): Promise<void> {
    this.ended = true;
    this.offThread?.drop();
    await this.whenIdle();
    const fd = await this.fdReady?.catch(() => undefined);
    if (fd !== undefined && !this.fdClosed) {
      this.fdClosed = true;
      await closeQuietly(fd);
    }
    if (partialFile === 'remove' && this.fdReady) await fs.promises.rm(this.options.partial, { force: true });
  }

  /**
   * The verified content of a small download goes to its temporary file and
   * is renamed into place, all synchronously; on failure the temporary file
   * is removed (it never held a whole verified file worth resuming).
   */
  private writeInMemoryFile(content: Buffer[]): void {
    const { partial, localPath, mode } = this.options;
    // The content is already checked, so the file may be created with its final permission bits when the
    // umask keeps them: one fchmod less per small file.
    const bits = mode & 0o7777;
    const createdWith = bits !== 0 && (bits & ~0o777) === 0 && (bits & PROCESS_UMASK) === 0 ? bits : 0;
    let fd: number | undefined;
    try {
      fd = fs.openSync(partial, 'w', createdWith || 0o600);
      let position = 0;
      for (const piece of content) {
        for (let done = 0; done < piece.length;) {
          done += fs.writeSync(fd, piece, done, piece.length - done, position + done);
        }
        position += piece.length;
      }
      applyTimesAndModeNow(fd, this.options.mtimeMs, createdWith ? 0 : mode);
      fs.closeSync(fd);
      fd = undefined;
      fs.renameSync(partial, localPath);
    } catch (error) {
      if (fd !== undefined) void closeQuietly(fd);
      fs.rmSync(partial, { force: true });
      throw error;
    }
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
