/**
 * Files open for reading (DWLD, and each file of a TGET): opened with
 * O_NOFOLLOW | O_NONBLOCK, checked to be regular files inside the root, read
 * at positions until closed.
 */
import { constants as fsConstants, fstatSync, openSync, read as readFd, readSync, type Stats } from 'node:fs';
import type { Hash } from 'node:crypto';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { closeQuietly } from './descriptors.js';
import { errnoCode, toFerryError } from './errors.js';
import type { Jail } from './jail.js';
import { displayPath } from './paths.js';
import { prefixVerifications } from './work-gate.js';

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fsConstants;

/** Bytes read per step when hashing a prefix. */
export const HASH_CHUNK = 1024 * 1024;

/** Opens a regular file for a download (a final symlink inside the root is followed). */
export function openForReading(jail: Jail, components: readonly string[]): ReadableFile {
  const subject = displayPath(components);
  const real = jail.resolveFollowing(components);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not hang; it has no effect on regular files.
    fd = openSync(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    if (errnoCode(error) === 'ELOOP') throw new FerryError(ErrorCode.INVALID_PATH, `path changed while opening: ${subject}`);
    throw toFerryError(error, subject);
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `is a folder: ${subject}`);
    if (!stats.isFile()) throw new FerryError(ErrorCode.UNSUPPORTED, `not a regular file: ${subject}`);
    jail.checkDescriptor(fd, components);
    return new ReadableFile(fd, stats);
  } catch (error) {
    closeQuietly(fd);
    throw toFerryError(error, subject);
  }
}


/**
 * Opens a regular file reached through a checked folder descriptor. O_NOFOLLOW
 * refuses a symlink swapped in for it; being reached through the folder's
 * descriptor, the file is inside that folder. Undefined when it vanished or is
 * no longer a regular file (changed since the folder was read).
 */
export function openReadableInFolder(full: string, subject: string): { readable: ReadableFile; stats: Stats } | undefined {
  let fd: number;
  try {
    fd = openSync(full, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ELOOP') return undefined;
    throw toFerryError(error, subject);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      closeQuietly(fd);
      return undefined;
    }
    return { readable: new ReadableFile(fd, stats), stats };
  } catch (error) {
    closeQuietly(fd);
    throw toFerryError(error, subject);
  }
}

/** A file open for a download. */
export class ReadableFile {
  readonly size: number;
  readonly mtimeMs: number;
  readonly mode: number;

  private closed = false;
  /** Reads in flight: the descriptor is closed only after the last (its number must not be reused under them). */
  private reading = 0;

  /** `fd`: a plain descriptor (the callback API costs less per call than a FileHandle). */
  constructor(private readonly fd: number, stats: Stats) {
    this.size = stats.size;
    // A time before 1970 has no u64 form: sent as 0, as in listings (entryOf).
    this.mtimeMs = Math.max(0, Math.floor(stats.mtimeMs));
    this.mode = stats.mode & 0o7777;
  }

  /** Reads up to `length` bytes at `position` into `buffer`; returns how many were read. */
  read(buffer: Buffer, length: number, position: number): Promise<number> {
    if (this.closed) return Promise.reject(new FerryError(ErrorCode.INTERNAL, 'read after close'));
    this.reading++;
    return new Promise((resolve, reject) => {
      readFd(this.fd, buffer, 0, length, position, (error, bytesRead) => {
        this.reading--;
        if (this.closed && this.reading === 0) closeQuietly(this.fd);
        if (error) reject(error);
        else resolve(bytesRead);
      });
    });
  }

  /**
   * Reads up to `length` bytes at `position` synchronously: for the rest of a
   * small file, where one read from the page cache takes microseconds and a
   * trip through the thread pool many times that.
   */
  readNow(buffer: Buffer, length: number, position: number): number {
    if (this.closed) throw new FerryError(ErrorCode.INTERNAL, 'read after close');
    return readSync(this.fd, buffer, 0, length, position);
  }

  /**
   * Feeds bytes 0..length of the file to `hash` (a resumed download's
   * prefix), when `owner` (the session) gets its turn at prefixVerifications:
   * a request of a few bytes must not make the server hash gigabytes many
   * times at once. Stops when `signal` is aborted.
   */
  hashPrefix(length: number, hash: Hash, owner: object, signal: AbortSignal): Promise<void> {
    if (length === 0) return Promise.resolve();
    return prefixVerifications.run(owner, signal, () => this.hashPrefixNow(length, hash, signal));
  }

  private async hashPrefixNow(length: number, hash: Hash, signal: AbortSignal): Promise<void> {
    const buffer = Buffer.allocUnsafe(Math.min(HASH_CHUNK, length));
    for (let position = 0; position < length;) {
      if (signal.aborted) throw signal.reason as Error;
      const bytesRead = await this.read(buffer, Math.min(buffer.length, length - position), position);
      if (bytesRead === 0) throw new FerryError(ErrorCode.SIZE_MISMATCH, 'the file is shorter than expected');
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
  }

  /** Closes the descriptor now, or after the reads still in flight. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      if (this.reading === 0) closeQuietly(this.fd);
    }
    return Promise.resolve();
  }
}
