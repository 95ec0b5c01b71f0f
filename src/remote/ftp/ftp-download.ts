/**
 * Downloading one file over FTP: SIZE and MDTM, then RETR (after REST when
 * resuming) into `.<name>.ferry-part` beside the target, the same temporary
 * file as the Ferry kind's. The file is renamed into place only when the
 * bytes written equal the size the server stated; an interrupted or
 * cancelled download keeps its temporary file for `resume`, which continues
 * after its last byte. FTP has no way to check that those bytes still match
 * the server's (no prefix hash), so a temporary file longer than the remote
 * file starts over, as curl -C and lftp do.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import type { Client } from 'basic-ftp';
import { checkTarget } from '../../client/download.js';
import { localError, openFd, partialPathFor, sha256OfFile, writeAll, writevAll } from '../../client/local-files.js';
import { contentHashOf } from '../../hashing/content-hash.js';
import { ProgressThrottle } from '../../client/progress.js';
import type { RateLimit } from '../../client/rate-limit.js';
import type { Progress, TransferOptions, TransferResult } from '../../client/types.js';
import { ErrorCode, FerryError, isFerryError } from '../../protocol/errors.js';
import { SECOND_MS } from './ftp-entries.js';
import { ferryErrorFromFtp, isAmbiguousRefusal } from './ftp-errors.js';
import { checkSha256, type Sha256Command } from './ftp-hash.js';
import { probePath } from './ftp-probe.js';
import { retrieveBulk, retrieveSmall } from './ftp-retrieve.js';
import { askFileTime } from './ftp-times.js';

/** The size and time of a remote file before a read; NOT_FOUND, IS_A_DIRECTORY or PERMISSION otherwise. */
export async function remoteFileFacts(client: Client, remotePath: string): Promise<{ size: number; mtimeMs: number }> {
  const what = await probePath(client, remotePath);
  if (what.kind === 'missing') throw new FerryError(ErrorCode.NOT_FOUND, `no such file: ${remotePath}`);
  if (what.kind === 'directory') throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${remotePath} is a folder`);
  if (what.kind === 'unreachable') throw new FerryError(ErrorCode.PERMISSION, `permission denied: ${remotePath}`);
  return { size: what.size, mtimeMs: await askFileTime(client, remotePath) ?? 0 };
}

export async function downloadOverFtp(
  client: Client, remotePath: string, localPath: string, options: TransferOptions, attempt: { moved: boolean } = { moved: false },
  /**
   * The size, time and mode a listing of a moment ago gave (ftp-recent-listings.ts): SIZE is skipped, and MDTM
   * too where the listed time is to the second (MLSD).
   */
  listed?: { size: number; mtimeMs: number; mtimeResolutionMs?: number; mode: number },
  /** The server's SHA-256 command (ftp-hash.ts): the bytes are checked against it before the rename. */
  sha256Command?: Sha256Command,
): Promise<TransferResult> {
  const started = performance.now();
  const { signal } = options;
  if (signal?.aborted) throw cancelled();
  checkTarget(localPath, options.overwrite === true);
  let { size, mtimeMs } = listed ?? await remoteFileFacts(client, remotePath);
  if (listed && (listed.mtimeResolutionMs ?? 1) > SECOND_MS) {
    // A LIST time holds only the minute or the day: a copy with that time would look changed to any later
    // comparison that asks the server for the second (src/sync/plan.ts), so the copy gets the second.
    mtimeMs = await askFileTime(client, remotePath) ?? mtimeMs;
  }
  const partial = partialPathFor(localPath);

  let offset = 0;
  if (options.resume) {
    const existing = fs.statSync(partial, { throwIfNoEntry: false });
    if (existing?.isFile() && existing.size <= size) offset = existing.size;
  }
  const progress = new ProgressThrottle<Progress>(options.onProgress, options.progressIntervalMs);
  const onWritten = (position: number): void => {
    attempt.moved = true;
    progress.update(() => ({ bytes: position, total: size }));
  };
  let sink: MemorySink | PositionalFileWriter;
  // Under a limit even a small download is written to its file as it comes, its reading paced by the limit (below). A
  // limit that is there but lifted (the UI's, until the user sets one) holds nothing back.
  const { rateLimit } = options;
  if (offset === 0 && size <= SMALL_DOWNLOAD_BYTES && rateLimit?.rate === undefined) {
    sink = new MemorySink(onWritten, createPartialEarly(partial));
  } else {
    try {
      const limit = rateLimit && { rateLimit, signal };
      sink = new PositionalFileWriter(await openFd(partial, offset > 0 ? 'r+' : 'w', 0o600), offset, onWritten, limit,
        sha256Command !== undefined);
    } catch (error) {
      throw localError(error, localPath);
    }
  }
  progress.flush({ bytes: offset, total: size });

  // FTP cannot stop a RETR and keep the connection: a cancel closes it (the pool then drops it).
  const onAbort = (): void => client.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    try {
      if (sink instanceof MemorySink) {
        const memory = sink;
        await retrieveSmall(client, remotePath, (chunk) => memory.take(chunk));
      } else {
        const file = sink;
        // Under a limit (set now, or later while this runs) reading waits after each write until the bytes may have come.
        const pace = (length: number): Promise<void> | undefined => (rateLimit?.rate === undefined ? undefined : rateLimit.take(length, signal));
        const bulk = await retrieveBulk(client, remotePath, offset, (chunk) => file.writeNow(chunk) ?? pace(chunk.length));
        if (!bulk) await client.downloadTo(sink, remotePath, offset);
      }
    } catch (error) {
      if (signal?.aborted) throw cancelled();
      if (sink.failure) throw localError(sink.failure, localPath);
      if (isAmbiguousRefusal(error)) {
        // The file was there a moment ago; unless it has gone since, a refused RETR means it may not be read.
        const now = listed ? await probePath(client, remotePath, { listParent: false }) : undefined;
        if (now?.kind === 'missing') throw new FerryError(ErrorCode.NOT_FOUND, `no such file: ${remotePath}`, { cause: error });
        throw new FerryError(ErrorCode.PERMISSION, `permission denied: ${remotePath}`, { cause: error });
      }
      throw ferryErrorFromFtp(error, `downloading ${remotePath}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (sink.position !== size && listed) {
      // The listing was older than the file: what the server says now decides.
      ({ size, mtimeMs } = await remoteFileFacts(client, remotePath));
    }
    if (sink.position !== size) {
      if (sink.position > size) sink.discard(partial);
      throw new FerryError(ErrorCode.SIZE_MISMATCH, `received ${sink.position} of ${size} bytes of ${remotePath}`);
    }
    if (sha256Command) {
      try {
        await checkSha256(client, sha256Command, remotePath, sink.contentSha256(partial));
      } catch (error) {
        // Bytes that do not hash as the server's file are not worth resuming from.
        if (isFerryError(error, ErrorCode.HASH_MISMATCH)) sink.discard(partial);
        throw error;
      }
    }
    try {
      await sink.complete(partial, localPath, mtimeMs, localMode(listed?.mode ?? 0));
    } catch (error) {
      throw localError(error, localPath);
    }
  } finally {
    await sink.release(partial);
  }
  progress.flush({ bytes: size, total: size });
  return { bytes: size - offset, size, resumedFrom: offset, durationMs: performance.now() - started };
}

/**
 * A download of at most this many bytes from the start is held in memory and
 * written in one synchronous run when its size is checked (open, write, set
 * the time, close, rename): through the thread pool each of those costs a
 * round trip, and a tree of thousands of small files is made of little else
 * (as the Ferry kind's FileSink does).
 */
const SMALL_DOWNLOAD_BYTES = 256 * 1024;

/** The umask, read once (process.umask() without an argument only reads it). */
const PROCESS_UMASK = process.umask();

/**
 * The permission bits of a downloaded file: the listed ones (read, write and
 * execute; set-id bits are not carried over from a server), else what a new
 * file gets here. The temporary file is private (0600) until then.
 */
function localMode(listedMode: number): number {
  const bits = listedMode & 0o777;
  return bits !== 0 ? bits : 0o666 & ~PROCESS_UMASK;
}

/** Where a download's bytes go until it is complete, and the ending. */
interface DownloadSink {
  /** Where the content ends once every write has landed. */
  readonly position: number;
  readonly failure: unknown;
  /** The bytes are right: lands them under `localPath` with `mtimeMs` (0: leave the time) and permission bits `mode`. */
  complete(partial: string, localPath: string, mtimeMs: number, mode: number): void | Promise<void>;
  /** The SHA-256 of the whole content, once every write has landed. */
  contentSha256(partial: string): Promise<Buffer>;
  /** The bytes are wrong (too many, or not the server's): nothing worth resuming is kept. */
  discard(partial: string): void;
  /** After success or failure: lets go of the file (kept on disk for resume unless completed or discarded). */
  release(partial: string): void | Promise<void>;
}

function cancelled(): FerryError {
  return new FerryError(ErrorCode.CANCELLED, 'the transfer was cancelled');
}

/**
 * Writes what arrives to `fd` at increasing positions (a plain WriteStream
 * would take the descriptor over and close it); `position` is where the file
 * ends once every write has landed, which is when the stream finishes.
 */
export class PositionalFileWriter extends Writable implements DownloadSink {
  failure: unknown;
  private open = true;
  /** The content's SHA-256 so far, kept while writing when it will be asked for and the file starts empty. */
  private readonly hash: Hash | undefined;

  constructor(
    private readonly fd: number,
    public position: number,
    private readonly onWritten: (position: number) => void,
    private readonly limit?: { rateLimit: RateLimit; signal?: AbortSignal | undefined },
    hashWhileWriting = false,
  ) {
    super({ highWaterMark: 1024 * 1024 });
    this.hash = hashWhileWriting && position === 0 ? createHash('sha256') : undefined;
  }

  /**
   * Writes `data` now, on this thread (retrieveBulk's reused buffer is only
   * valid until this returns); the error that stops the download, if any.
   */
  writeNow(data: Buffer): Error | undefined {
    try {
      for (let done = 0; done < data.length;) done += fs.writeSync(this.fd, data, done, data.length - done, this.position + done);
    } catch (error) {
      this.failure = error;
      return error instanceof Error ? error : new Error(String(error));
    }
    this.landed(data);
    return undefined;
  }

  complete(partial: string, localPath: string, mtimeMs: number, mode: number): void {
    if (mtimeMs > 0) fs.futimesSync(this.fd, mtimeMs / 1000, mtimeMs / 1000);
    fs.fchmodSync(this.fd, mode);
    this.open = false;
    fs.closeSync(this.fd);
    fs.renameSync(partial, localPath);
  }

  contentSha256(partial: string): Promise<Buffer> {
    return this.hash ? Promise.resolve(this.hash.digest()) : sha256OfFile(partial);
  }

  discard(partial: string): void {
    fs.rmSync(partial, { force: true });
  }

  release(partial: string): void {
    if (!this.open) return;
    this.open = false;
    fs.closeSync(this.fd);
    // A refused or cut download that never got a byte leaves no empty temporary file behind.
    if (this.position === 0) fs.rmSync(partial, { force: true });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeBuffers([chunk], callback);
  }

  /** What arrived while the last write was on the disk, written in one go (the stream's highWaterMark bounds it). */
  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.writeBuffers(chunks.map((each) => each.chunk), callback);
  }

  /** `data` is in the file, right after what was there. */
  private landed(data: Buffer): void {
    this.hash?.update(data);
    this.position += data.length;
    this.onWritten(this.position);
  }

  private writeBuffers(data: Buffer[], callback: (error?: Error | null) => void): void {
    const length = data.reduce((sum, each) => sum + each.length, 0);
    const allowed = this.limit ? this.limit.rateLimit.take(length, this.limit.signal) : Promise.resolve();
    allowed.then(() => data.length === 1 ? writeAll(this.fd, data[0]!, this.position) : writevAll(this.fd, data, this.position)).then(() => {
      for (const each of data) this.landed(each);
      callback();
    }, (error: unknown) => {
      this.failure = error;
      callback(error instanceof Error ? error : new Error(String(error)));
    });
  }
}

/**
 * Creates a small download's temporary file on the thread pool while the
 * RETR's round trips run, so the main thread never waits for it: creating a
 * file is the dearest step of a small download (a directory update, a
 * fraction of a millisecond to several on a busy disk, while the bytes take
 * less). Only a file that is not there yet is created (exclusive): the
 * descriptor, or undefined when one was there (an older run's temporary
 * file, replaced only once the new bytes are checked) or it could not be
 * made (the synchronous open at the end then reports why).
 */
function createPartialEarly(partial: string): Promise<number | undefined> {
  return openFd(partial, 'wx', 0o600).catch(() => undefined);
}

/**
 * A small download's bytes, held until they are checked (SMALL_DOWNLOAD_BYTES)
 * and then written in one synchronous run into the temporary file created
 * meanwhile (createPartialEarly); bounded in case the file grows meanwhile.
 */
class MemorySink implements DownloadSink {
  position = 0;
  failure: unknown;
  private readonly chunks: Buffer[] = [];
  private landed = false;

  constructor(
    private readonly onWritten: (position: number) => void,
    /** The temporary file being created by this download (createPartialEarly). */
    private readonly created: Promise<number | undefined>,
  ) {}

  /** Holds `chunk`; the error that stops the download when the file has grown far past its listed size. */
  take(chunk: Buffer): Error | undefined {
    if (this.position + chunk.length > 4 * SMALL_DOWNLOAD_BYTES) {
      this.failure = new FerryError(ErrorCode.SIZE_MISMATCH, 'the file grew far beyond its listed size during the download');
      return this.failure as Error;
    }
    this.chunks.push(chunk);
    this.position += chunk.length;
    this.onWritten(this.position);
    return undefined;
  }

  async complete(partial: string, localPath: string, mtimeMs: number, mode: number): Promise<void> {
    const early = await this.created;
    // Past this point the file is this call's to land or remove, whichever way it goes.
    this.landed = true;
    const fd = early ?? fs.openSync(partial, 'w', 0o600);
    try {
      const content = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      for (let done = 0; done < content.length;) done += fs.writeSync(fd, content, done, content.length - done, done);
      if (mtimeMs > 0) fs.futimesSync(fd, mtimeMs / 1000, mtimeMs / 1000);
      fs.fchmodSync(fd, mode);
    } catch (error) {
      fs.closeSync(fd);
      fs.rmSync(partial, { force: true });
      throw error;
    }
    fs.closeSync(fd);
    fs.renameSync(partial, localPath);
  }

  contentSha256(): Promise<Buffer> {
    return Promise.resolve(contentHashOf(this.chunks));
  }

  discard(): void {
    this.chunks.length = 0;
  }

  /** A download that did not land removes the (empty) temporary file it created; one that was there before stays. */
  async release(partial: string): Promise<void> {
    this.chunks.length = 0;
    if (this.landed) return;
    this.landed = true;
    const early = await this.created;
    if (early === undefined) return;
    fs.closeSync(early);
    fs.rmSync(partial, { force: true });
  }
}
