/**
 * An upload's temporary file once opened: written at positions (on the
 * thread pool, or at once for small files), flushed in the background as it
 * grows, then committed under its final name (renamed, or linked when it must
 * not replace anything), staged for a tree upload's batch, dropped, or left
 * for a resume. It holds the upload's lock (upload-lock.ts) until then.
 */
import { fchmodSync, fdatasync, fsync, futimesSync, linkSync, lstatSync, renameSync, unlinkSync, writev, writevSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createHash, type Hash } from 'node:crypto';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { utimesSeconds } from '../../protocol/file-times.js';
import { closeQuietly } from './descriptors.js';
import { errnoCode, toFerryError } from './errors.js';
import { displayPath } from './paths.js';
import { lockNameFor, type UploadLock } from './upload-lock.js';

/** An upload's checked target; holds its folder open until `close()`. */
export interface UploadPlan {
  /** Identifies the target across sessions: its real folder and name. */
  key: string;
  /** The target and the temporary file, reached through the opened folder. */
  target: string;
  temp: string;
  /** The upload's lock beside the temporary file (upload-lock.ts), reached through the opened folder. */
  lock: string;
  /** The temporary file's real path (what the stale-file sweep sees). */
  tempReal: string;
  components: string[];
  close(): Promise<void>;
}

/**
 * Bytes an upload writes between two background flushes. Without them the
 * whole file sits in the page cache until the fsync before the rename, which
 * then writes it all while the client waits; flushing as the data arrives
 * leaves only the tail for that last fsync.
 */
export const UPLOAD_FLUSH_BYTES = 64 * 1024 * 1024;

/** An upload's temporary file: written at positions, then committed under the final name or dropped. */
export class UploadFile {
  private closed = false;
  /** Bytes written since the last background flush started. */
  private unflushedBytes = 0;
  /** The running background flush (fdatasync in the thread pool), if any. */
  private flushing: Promise<void> | undefined;
  /** A background flush's failure, reported by the next write or the commit. */
  private flushError: unknown;

  constructor(
    /** A plain descriptor: the callback API costs less per call than a FileHandle, which counts for small files. */
    private readonly fd: number,
    readonly plan: UploadPlan,
    /** Held until the file is committed, dropped or abandoned (for a staged file: until its batch is renamed). */
    private readonly lock: UploadLock,
    /** Where the client continues (bytes already in the temporary file). */
    readonly offset: number,
    /** SHA-256 of the first `offset` bytes; empty when offset is 0. */
    readonly prefixHash: Buffer,
    /** Has consumed the first `offset` bytes (none: a fresh file, whose hash is made when first asked for). */
    private contentHash: Hash | undefined,
    /** Permission bits the file was created with (0: unknown), so applying the same ones is skipped. */
    private readonly createdMode = 0,
  ) {}

  /** The content's running hash: holds the first `offset` bytes; the transfer feeds it the rest. */
  get hash(): Hash {
    this.contentHash ??= createHash('sha256');
    return this.contentHash;
  }

  /** Writes `buffers` one after another starting at `position`, on the thread pool. */
  async write(buffers: Buffer[], position: number): Promise<void> {
    if (this.flushError !== undefined) throw this.flushError;
    let at = position;
    for (let rest = buffers; rest.length > 0;) {
      const written = await writevAt(this.fd, rest, at);
      at += written;
      rest = unwritten(rest, written);
    }
    this.wrote(at - position);
  }

  /**
   * write() without the thread pool: for a small file, one write into the
   * page cache takes microseconds and a round trip through the pool far more.
   */
  writeNow(buffers: Buffer[], position: number): void {
    if (this.flushError !== undefined) throw this.flushError;
    let at = position;
    for (let rest = buffers; rest.length > 0;) {
      const written = writevSync(this.fd, rest, at);
      at += written;
      rest = unwritten(rest, written);
    }
    this.wrote(at - position);
  }

  private wrote(bytes: number): void {
    this.unflushedBytes += bytes;
    this.flushInBackground();
  }

  /**
   * Starts an fdatasync once enough bytes are written and none is running.
   * It is not awaited: receipt and writes go on beside it, and `commit`
   * waits for it before its own final fsync.
   */
  private flushInBackground(): void {
    if (this.flushing || this.closed || this.unflushedBytes < UPLOAD_FLUSH_BYTES) return;
    this.unflushedBytes = 0;
    this.flushing = new Promise<void>((resolve, reject) => fdatasync(this.fd, (error) => (error ? reject(error) : resolve())))
      .then(() => {
        this.flushing = undefined;
        this.flushInBackground();
      }, (error: unknown) => {
        this.flushing = undefined;
        if (!this.closed) this.flushError = error;
      });
  }

  /** mtime and mode on the temporary file (before it is flushed and renamed). */
  private applyTimesAndMode(mtimeMs: number, mode: number): void {
    // Only permission bits: a client never sets setuid, setgid or sticky bits.
    if (mode !== 0 && (mode & 0o777) !== this.createdMode) fchmodSync(this.fd, mode & 0o777);
    // Seconds, not Dates: no two objects per file for a tree of thousands.
    if (mtimeMs > 0) futimesSync(this.fd, Date.now() / 1000, utimesSeconds(mtimeMs));
  }

  /**
   * Makes the upload final: flushes the content to disk, applies mtime and
   * mode (0 = leave the defaults), closes, and renames the temporary file to
   * the target. Without `overwrite` the target must still be absent.
   */
  async commit(mtimeMs: number, mode: number, overwrite: boolean): Promise<void> {
    const subject = displayPath(this.plan.components);
    try {
      this.applyTimesAndMode(mtimeMs, mode);
      await this.flushing;
      if (this.flushError !== undefined) throw this.flushError;
      // Only what was written since the last background flush is still to go.
      await new Promise<void>((resolve, reject) => fsync(this.fd, (error) => (error ? reject(error) : resolve())));
    } catch (error) {
      throw toFerryError(error, subject);
    } finally {
      await this.close();
    }
    try {
      moveIntoPlace(this.plan.temp, this.plan.target, overwrite);
    } catch (error) {
      throw toFerryError(error, subject);
    } finally {
      this.lock.release();
    }
  }

  /**
   * Finishes a checked file of a tree upload without flushing or renaming it:
   * mtime and mode applied, closed; Storage.commitStaged makes it final with
   * the rest of its batch.
   */
  async stage(mtimeMs: number, mode: number, overwrite: boolean): Promise<StagedFile> {
    const subject = displayPath(this.plan.components);
    try {
      this.applyTimesAndMode(mtimeMs, mode);
      await this.flushing;
      if (this.flushError !== undefined) throw this.flushError;
    } catch (error) {
      throw toFerryError(error, subject);
    } finally {
      await this.close();
    }
    return this.stagedRecord(overwrite);
  }

  /**
   * stage() without waiting, for a file with no background flush running (a
   * small one): undefined when one is running, and the caller then awaits stage().
   */
  stageNow(mtimeMs: number, mode: number, overwrite: boolean): StagedFile | undefined {
    if (this.flushing) return undefined;
    try {
      if (this.flushError !== undefined) throw this.flushError;
      this.applyTimesAndMode(mtimeMs, mode);
    } catch (error) {
      throw toFerryError(error, displayPath(this.plan.components));
    } finally {
      this.closed = true;
      closeQuietly(this.fd);
    }
    return this.stagedRecord(overwrite);
  }

  private stagedRecord(overwrite: boolean): StagedFile {
    const { components, tempReal } = this.plan;
    const slash = tempReal.lastIndexOf('/');
    const tempName = tempReal.slice(slash + 1);
    return {
      components, tempReal, overwrite, tempName, lockName: lockNameFor(tempName), lockHolder: this.lock.holder,
      folderReal: tempReal.slice(0, slash), name: components[components.length - 1]!,
    };
  }

  /** Drops the upload: closes and deletes the temporary file. */
  async discard(): Promise<void> {
    await this.close();
    await fs.unlink(this.plan.temp).catch(() => undefined);
    this.lock.release();
  }

  /** Stops without deleting: the temporary file stays for a later resume (by this or another ferryd). */
  async abandon(): Promise<void> {
    await this.close();
    this.lock.release();
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Never close the descriptor under a running fdatasync.
    await this.flushing;
    closeQuietly(this.fd);
  }
}

/** A checked tree-upload file waiting in its temporary file for its batch's commit. */
export interface StagedFile {
  /** Protocol path of the target, for messages. */
  components: string[];
  /** Real path of the temporary file, its folder, and the two names in that folder. */
  tempReal: string;
  folderReal: string;
  tempName: string;
  name: string;
  overwrite: boolean;
  /** The upload's lock in the same folder and its text, released once the file is renamed or dropped. */
  lockName: string;
  lockHolder: string;
}

function writevAt(fd: number, buffers: Buffer[], position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    writev(fd, buffers, position, (error, written) => (error ? reject(error) : resolve(written)));
  });
}

/** A checked upload's temporary file becomes `target`: replacing what is there with `overwrite`, never without. */
export function moveIntoPlace(temp: string, target: string, overwrite: boolean): void {
  if (overwrite) renameSync(temp, target);
  else linkWithoutReplacing(temp, target);
}

/** Puts `temp` under `target` only if `target` does not exist (link fails with EEXIST), then removes `temp`. */
function linkWithoutReplacing(temp: string, target: string): void {
  try {
    linkSync(temp, target);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') throw error;
    // File systems without hard links: check, then rename (a small race, no partial file either way).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw error;
    if (lstatSync(target, { throwIfNoEntry: false })) throw Object.assign(new Error('target exists'), { code: 'EEXIST' });
    renameSync(temp, target);
    return;
  }
  try {
    unlinkSync(temp);
  } catch {
    // The link is in place; a leftover temporary file is swept later.
  }
}

/**
 * What is left of `buffers` after a writev wrote `written` bytes of them
 * (empty: all). writev may write less than asked (signals, quotas); nothing
 * at all means the disk takes no more.
 */
function unwritten(buffers: Buffer[], written: number): Buffer[] {
  const rest = skipBytes(buffers, written);
  if (written === 0 && rest.length > 0) throw new FerryError(ErrorCode.NO_SPACE, 'the disk accepted no more bytes');
  return rest;
}

function skipBytes(buffers: Buffer[], count: number): Buffer[] {
  let skip = count;
  const out: Buffer[] = [];
  for (const buffer of buffers) {
    if (skip >= buffer.length) {
      skip -= buffer.length;
      continue;
    }
    out.push(skip > 0 ? buffer.subarray(skip) : buffer);
    skip = 0;
  }
  return out;
}
