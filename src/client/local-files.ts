/**
 * The client's own filesystem calls: errno → FerryError, positional reads and
 * writes on plain descriptors (the callback API: cheaper per call than
 * FileHandle, which matters for thousands of small files), prefix hashing for
 * resume, and the temporary-file name beside a download's target.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { ferryErrorFromFs } from '../protocol/fs-errors.js';
import { utimesSeconds } from '../protocol/file-times.js';

/** `.<name>.ferry-part` beside `target`: where a download lands until it is verified. */
export function partialPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.ferry-part`);
}

/** A local filesystem error as a FerryError with the matching code, naming `what` (a path). */
export function localError(error: unknown, what: string): FerryError {
  return ferryErrorFromFs(error, what);
}

export function openFd(file: string, flags: string | number, mode?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.open(file, flags, mode, (error, fd) => (error ? reject(error) : resolve(fd)));
  });
}

/**
 * Closes `fd` synchronously: closing a local file takes microseconds, a trip
 * through the thread pool far longer, and a tree transfer closes thousands.
 */
export function closeFd(fd: number): Promise<void> {
  try {
    fs.closeSync(fd);
    return Promise.resolve();
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Closes `fd`, ignoring errors: for cleanup paths that already carry an error. */
export function closeQuietly(fd: number): Promise<void> {
  try {
    fs.closeSync(fd);
  } catch {
    // Already closed or invalid: nothing to release.
  }
  return Promise.resolve();
}

export function fstatFd(fd: number): Promise<fs.Stats> {
  return new Promise((resolve, reject) => fs.fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats))));
}

/** Reads exactly `length` bytes at `position` into a fresh buffer; a short file is SIZE_MISMATCH. */
export function readExactly(fd: number, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafeSlow(length);
  return new Promise((resolve, reject) => {
    let filled = 0;
    const step = (): void => {
      fs.read(fd, buffer, filled, length - filled, position + filled, (error, n) => {
        if (error) return reject(error);
        if (n === 0) {
          return reject(new FerryError(ErrorCode.SIZE_MISMATCH, `the file ended at ${position + filled} bytes, before its stated size`));
        }
        filled += n;
        if (filled === length) resolve(buffer);
        else step();
      });
    };
    if (length === 0) resolve(buffer);
    else step();
  });
}

/**
 * Writes all of `buffers`, one after the other, at `position` with one
 * writev where the system takes them all (nearly always), instead of joining
 * them into one buffer first: a copy of every byte saved.
 */
export function writevAll(fd: number, buffers: Buffer[], position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.writev(fd, buffers, position, (error, written) => {
      if (error) return reject(error);
      // A short writev (a full disk, a signal): the rest goes through writeAll, which says why it stops.
      let skip = written;
      let at = position + written;
      const rest: Promise<void>[] = [];
      for (const buffer of buffers) {
        if (skip >= buffer.length) {
          skip -= buffer.length;
          continue;
        }
        rest.push(writeAll(fd, buffer.subarray(skip), at));
        at += buffer.length - skip;
        skip = 0;
      }
      Promise.all(rest).then(() => resolve(), reject);
    });
  });
}

/** SHA-256 of a local file's content, read in 1 MiB pieces. */
export async function sha256OfFile(file: string): Promise<Buffer> {
  const running = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) running.update(chunk as Buffer);
  return running.digest();
}

/** Writes all of `data` at `position`. */
export function writeAll(fd: number, data: Buffer, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = 0;
    const step = (): void => {
      fs.write(fd, data, done, data.length - done, position + done, (error, n) => {
        if (error) return reject(error);
        done += n;
        if (done >= data.length) resolve();
        else step();
      });
    };
    if (data.length === 0) resolve();
    else step();
  });
}

const PREFIX_CHUNK = 1024 * 1024;

/**
 * Feeds the first `length` bytes of `fd` into `hash` (which then goes on with
 * the rest of the file) and returns the digest of that prefix alone.
 */
export async function hashPrefix(fd: number, length: number, hash: Hash): Promise<Buffer> {
  for (let at = 0; at < length; at += PREFIX_CHUNK) {
    hash.update(await readExactly(fd, Math.min(PREFIX_CHUNK, length - at), at));
  }
  return hash.copy().digest();
}

export function newContentHash(): Hash {
  return createHash('sha256');
}

/** A local file's mtime as the protocol sends it: whole ms, and 0 for a time before 1970 (a u64 has no sign). */
export function wireTime(mtimeMs: number): number {
  return Math.max(0, Math.floor(mtimeMs));
}

/**
 * Applies a transferred file's mtime (ms) and permission bits (0 = leave the
 * default). Synchronous for the same reason as closeFd: two inode updates on
 * an open descriptor, each far cheaper than a thread-pool round trip.
 */
export function applyTimesAndMode(fd: number, mtimeMs: number, mode: number): Promise<void> {
  try {
    applyTimesAndModeNow(fd, mtimeMs, mode);
    return Promise.resolve();
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** applyTimesAndMode for callers that are synchronous themselves; throws the fs error. */
export function applyTimesAndModeNow(fd: number, mtimeMs: number, mode: number): void {
  const seconds = utimesSeconds(mtimeMs);
  fs.futimesSync(fd, seconds, seconds);
  if (mode !== 0) fs.fchmodSync(fd, mode & 0o7777);
}
