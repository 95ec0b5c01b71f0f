/**
 * Single-file transfers over SFTP, pipelined (pipeline.ts), resumable and
 * checked by size. Neither side ever shows a half-written file under its
 * final name:
 *
 * - a download lands in `.<name>.ferry-part` beside the local target (as the
 *   Ferry kind's do), renamed into place once its size matches the server's;
 *   an interrupted one keeps the bytes received without a gap, and `resume`
 *   continues after them;
 * - an upload goes to `.<name>.ferry-part` beside the remote target, renamed
 *   into place (posix-rename@openssh.com where offered, so an overwrite is one
 *   step); `resume` continues that file from its size.
 *
 * SFTP has no content hash, so a resume trusts that the bytes already there
 * are the file's (as `sftp reget` and lftp do), and the check at the end is the
 * size.
 */
import fs from 'node:fs';
import { cancelledError } from '../../client/exchange.js';
import { checkTarget } from '../../client/download.js';
import { closeQuietly, localError, partialPathFor, readExactly, writeAll } from '../../client/local-files.js';
import { ProgressThrottle } from '../../client/progress.js';
import type { Progress, TransferOptions, TransferResult } from '../../client/types.js';
import { ErrorCode, FerryError, isFerryError } from '../../protocol/errors.js';
import { TEMP_SUFFIX } from '../../protocol/temp-names.js';
import { utimesSeconds } from '../../protocol/file-times.js';
import { runPipeline } from './pipeline.js';
import { entryKindOf, type SftpCalls } from './sftp-calls.js';
import { EntryKind } from '../../protocol/messages.js';

/** How a session pipelines: bytes per request and requests outstanding per file. */
export interface PipelineShape {
  chunk: number;
  depth: number;
}

/**
 * An upload resumes this far before the end of the server's temporary file:
 * a server that carried out the last writes out of order may have left a gap
 * there (OpenSSH's handles them in order, so it never does).
 */
const UPLOAD_RESUME_MARGIN = 4 * 1024 * 1024;

/** `.<name>.ferry-part` beside a remote target. */
export function remotePartialPath(remotePath: string): string {
  const slash = remotePath.lastIndexOf('/');
  const folder = slash < 0 ? '' : remotePath.slice(0, slash + 1);
  return `${folder}.${remotePath.slice(slash + 1)}${TEMP_SUFFIX}`;
}

function progressOf(options: TransferOptions): ProgressThrottle<Progress> {
  return new ProgressThrottle(options.onProgress, options.progressIntervalMs);
}

/**
 * Read buffers of one size, kept for the next request once their bytes are
 * written: a tree of thousands of files would otherwise allocate a request's
 * worth for each and spend its time collecting them.
 */
class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(readonly size: number, private readonly keep: number) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  give(buffer: Buffer): void {
    if (this.free.length < this.keep) this.free.push(buffer);
  }
}

const pools = new Map<number, BufferPool>();
const POOLED_BUFFERS = 64;

function poolFor(size: number): BufferPool {
  let pool = pools.get(size);
  if (!pool) {
    pool = new BufferPool(size, POOLED_BUFFERS);
    pools.set(size, pool);
  }
  return pool;
}

/**
 * Reads exactly `length` bytes at `offset`, asking again after a short read;
 * the file ending first is SIZE_MISMATCH. The bytes land in `into` when given.
 */
async function readFully(calls: SftpCalls, handle: Buffer, remotePath: string, offset: number, length: number, into?: Buffer): Promise<Buffer> {
  const first = await calls.read(handle, remotePath, length, offset, into);
  if (first.length === length) return first;
  const pieces = [first];
  let got = first.length;
  while (got < length) {
    const more = await calls.read(handle, remotePath, length - got, offset + got);
    if (more.length === 0) {
      throw new FerryError(ErrorCode.SIZE_MISMATCH, `${remotePath} ended at ${offset + got} bytes, before its stated size (it changed during the transfer)`);
    }
    pieces.push(more);
    got += more.length;
  }
  return Buffer.concat(pieces, length);
}

async function closeRemoteQuietly(calls: SftpCalls, handle: Buffer, remotePath: string): Promise<void> {
  await calls.close(handle, remotePath).catch(() => undefined);
}

/** The local temporary file to continue, or a fresh one; its size is where the download starts. */
function openLocalPartial(partial: string, resume: boolean, size: number): { fd: number; offset: number } {
  if (resume) {
    try {
      const fd = fs.openSync(partial, 'r+');
      const held = fs.fstatSync(fd).size;
      if (held <= size) return { fd, offset: held };
      // Longer than the file now is: not a prefix of it.
      fs.ftruncateSync(fd, 0);
      return { fd, offset: 0 };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return { fd: fs.openSync(partial, 'w', 0o600), offset: 0 };
}

/**
 * A file this small is written on the main thread: a local write of a few
 * KiB takes microseconds, a trip through the thread pool far longer, and a
 * tree of small files is made of little else (as the Ferry kind's FileSink).
 */
const SYNC_WRITE_BYTES = 256 * 1024;

function writeAllNow(fd: number, data: Buffer, position: number): void {
  for (let done = 0; done < data.length;) done += fs.writeSync(fd, data, done, data.length - done, position + done);
}

/** Where a resumed download would start: the size of the temporary file, 0 without one or without resume. */
function heldBytes(partial: string, resume: boolean): number {
  if (!resume) return 0;
  try {
    // Usually there is none: asked without an exception, whose stack a tree of thousands of files would pay for.
    return fs.statSync(partial, { throwIfNoEntry: false })?.size ?? 0;
  } catch {
    return 0;
  }
}

export async function downloadFile(
  calls: SftpCalls, shape: PipelineShape, remotePath: string, localPath: string, options: TransferOptions = {},
): Promise<TransferResult> {
  const started = performance.now();
  if (options.signal?.aborted) throw cancelledError();
  checkTarget(localPath, options.overwrite ?? false);
  const partial = partialPathFor(localPath);
  const guess = heldBytes(partial, options.resume ?? false);
  const handle = await calls.open(remotePath, 'r');
  try {
    // The first piece is asked for together with the size: a small file then takes one round trip after
    // the open instead of two, which is most of what a tree of small files costs.
    const pool = poolFor(shape.chunk);
    const firstBuffer = pool.take();
    let prefetch: Promise<Buffer> | undefined = calls.read(handle, remotePath, shape.chunk, guess, firstBuffer);
    prefetch.catch(() => undefined); // awaited by the first step, or dropped when the size rules it out
    const stats = await calls.fstat(handle, remotePath);
    if (entryKindOf(stats.mode) === EntryKind.DIRECTORY) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${remotePath} is a folder`);
    const size = stats.size;
    let local: { fd: number; offset: number };
    try {
      local = openLocalPartial(partial, options.resume ?? false, size);
    } catch (error) {
      throw localError(error, localPath);
    }
    const { fd, offset } = local;
    if (offset !== guess) prefetch = undefined;
    const firstPiece = async (at: number, length: number): Promise<Buffer> => {
      const data = await prefetch!;
      prefetch = undefined;
      if (data.length >= length) return data.subarray(0, length);
      const rest = await readFully(calls, handle, remotePath, at + data.length, length - data.length);
      return Buffer.concat([data, rest], length);
    };
    let done = offset;
    let fdOpen = true;
    const progress = progressOf(options);
    try {
      progress.update(() => ({ bytes: done, total: size }));
      await runPipeline({
        start: offset, end: size, ...shape, signal: options.signal,
        step: async (at, length) => {
          await options.rateLimit?.take(length, options.signal);
          const first = at === offset && prefetch !== undefined;
          const buffer = first ? firstBuffer : pool.take();
          const data = first ? await firstPiece(at, length) : await readFully(calls, handle, remotePath, at, length, buffer);
          try {
            if (size <= SYNC_WRITE_BYTES) writeAllNow(fd, data, at);
            else await writeAll(fd, data, at);
          } catch (error) {
            throw localError(error, localPath);
          }
          // Only after a complete write: a failed step's buffer may still be filled by a late answer.
          pool.give(buffer);
        },
        onDone: (length) => {
          done += length;
          progress.update(() => ({ bytes: done, total: size }));
        },
      });
      const held = fs.fstatSync(fd).size;
      if (held !== size) throw new FerryError(ErrorCode.SIZE_MISMATCH, `${localPath} holds ${held} bytes, the server's file ${size}`);
      const seconds = utimesSeconds(stats.mtime * 1000);
      fs.futimesSync(fd, seconds, seconds);
      if ((stats.mode & 0o7777) !== 0) fs.fchmodSync(fd, stats.mode & 0o7777);
      fdOpen = false;
      fs.closeSync(fd);
      fs.renameSync(partial, localPath);
    } catch (error) {
      // Keep exactly the bytes received without a gap, for a later resume; a size mismatch keeps nothing.
      // Once closed, the descriptor's number may already belong to another file of a tree: never touched again.
      if (isFerryError(error, ErrorCode.SIZE_MISMATCH)) fs.rmSync(partial, { force: true });
      if (fdOpen) {
        try {
          if (!isFerryError(error, ErrorCode.SIZE_MISMATCH)) fs.ftruncateSync(fd, done);
        } catch {
          // The bytes stay as they are; a resume checks the size it finds.
        }
        await closeQuietly(fd);
      }
      throw isFerryError(error) ? error : localError(error, localPath);
    }
    progress.flush({ bytes: size, total: size });
    return { bytes: size - offset, size, resumedFrom: offset, durationMs: performance.now() - started };
  } finally {
    // Not awaited: the server closes a read handle in order after the reads, and nothing waits on it.
    void closeRemoteQuietly(calls, handle, remotePath);
  }
}

/**
 * Moves the finished temporary file to `remotePath`: in one step with
 * posix-rename where the server offers it, else by removing what is there
 * (when replacing) and renaming.
 */
export async function renameIntoPlace(calls: SftpCalls, from: string, to: string, overwrite: boolean): Promise<void> {
  if (overwrite) {
    if (await calls.posixRename(from, to)) return;
    const there = await calls.lstatIfAny(to);
    if (there && entryKindOf(there.mode) !== EntryKind.DIRECTORY) await calls.unlink(to);
    await calls.rename(from, to);
    return;
  }
  try {
    await calls.rename(from, to);
  } catch (error) {
    if (await calls.lstatIfAny(to).catch(() => undefined)) throw new FerryError(ErrorCode.EXISTS, `${to} exists`);
    throw error;
  }
}

export async function uploadFile(
  calls: SftpCalls, shape: PipelineShape, localPath: string, remotePath: string, options: TransferOptions = {},
): Promise<TransferResult> {
  const started = performance.now();
  if (options.signal?.aborted) throw cancelledError();
  let fd: number;
  let local: fs.Stats;
  try {
    fd = fs.openSync(localPath, 'r');
    local = fs.fstatSync(fd);
  } catch (error) {
    throw localError(error, localPath);
  }
  try {
    if (local.isDirectory()) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${localPath} is a folder`);
    const size = local.size;
    const overwrite = options.overwrite ?? false;
    const target = await calls.lstatIfAny(remotePath);
    if (target && entryKindOf(target.mode) === EntryKind.DIRECTORY) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${remotePath} is a folder`);
    if (target && !overwrite) throw new FerryError(ErrorCode.EXISTS, `${remotePath} exists`);
    const partial = remotePartialPath(remotePath);
    let offset = 0;
    if (options.resume) {
      const held = await calls.lstatIfAny(partial);
      if (held && entryKindOf(held.mode) === EntryKind.FILE && held.size <= size) offset = Math.max(0, held.size - UPLOAD_RESUME_MARGIN);
    }
    const handle = await calls.open(partial, offset > 0 ? 'r+' : 'w', { mode: 0o600 });
    let done = offset;
    const progress = progressOf(options);
    try {
      progress.update(() => ({ bytes: done, total: size }));
      await runPipeline({
        start: offset, end: size, ...shape, signal: options.signal,
        step: async (at, length) => {
          await options.rateLimit?.take(length, options.signal);
          let data: Buffer;
          try {
            data = await readExactly(fd, length, at);
          } catch (error) {
            throw isFerryError(error) ? error : localError(error, localPath);
          }
          await calls.write(handle, partial, data, at);
        },
        onDone: (length) => {
          done += length;
          progress.update(() => ({ bytes: done, total: size }));
        },
      });
      const mtime = utimesSeconds(local.mtimeMs);
      await calls.fsetstat(handle, partial, { mode: local.mode & 0o7777, atime: mtime, mtime });
    } finally {
      await closeRemoteQuietly(calls, handle, partial);
    }
    const landed = await calls.lstat(partial);
    if (landed.size !== size) {
      await calls.unlink(partial).catch(() => undefined);
      throw new FerryError(ErrorCode.SIZE_MISMATCH, `${remotePath}: the server holds ${landed.size} bytes of ${size}`);
    }
    await renameIntoPlace(calls, partial, remotePath, overwrite);
    progress.flush({ bytes: size, total: size });
    return { bytes: size - offset, size, resumedFrom: offset, durationMs: performance.now() - started };
  } finally {
    await closeQuietly(fd);
  }
}

/** `folder/name` for a remote folder and one name (the root joins without doubling its slash). */
export function remoteJoin(folder: string, name: string): string {
  if (folder === '' || folder === '.') return name;
  return folder.endsWith('/') ? `${folder}${name}` : `${folder}/${name}`;
}
