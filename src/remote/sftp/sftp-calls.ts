/**
 * ssh2's SFTP client calls as promises whose errors are FerryErrors naming
 * the path (sftp-errors.ts), plus the mapping of SFTP attributes to Ferry's
 * Entry. Every other file of the kind goes through here.
 */
import type { Attributes, FileEntryWithStats, InputAttributes, OpenMode, SFTPWrapper, Stats } from 'ssh2';
import { ErrorCode, type FerryError, isFerryError } from '../../protocol/errors.js';
import { EntryKind, type Entry } from '../../protocol/messages.js';
import { sftpError } from './sftp-errors.js';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

export function entryKindOf(mode: number): EntryKind {
  switch (mode & S_IFMT) {
    case S_IFREG: return EntryKind.FILE;
    case S_IFDIR: return EntryKind.DIRECTORY;
    case S_IFLNK: return EntryKind.SYMLINK;
    default: return EntryKind.OTHER;
  }
}

export function entryOf(name: string, attrs: Attributes): Entry {
  const kind = entryKindOf(attrs.mode ?? 0);
  return {
    name,
    kind,
    size: kind === EntryKind.DIRECTORY ? 0 : attrs.size ?? 0,
    mtimeMs: (attrs.mtime ?? 0) * 1000,
    // SFTP (version 3) states times in whole seconds: a copy of a file whose time has a fraction of a second
    // shows the same second, and a comparison must not call them different (src/sync/plan.ts).
    mtimeResolutionMs: SFTP_TIME_RESOLUTION_MS,
    mode: (attrs.mode ?? 0) & 0o7777,
  };
}

const SFTP_TIME_RESOLUTION_MS = 1000;

type Callback<T> = (error: Error | null | undefined, value: T) => void;

export class SftpCalls {
  /**
   * Rejecters of the requests awaiting an answer: ssh2 leaves them pending
   * for ever when the connection drops, so the session fails them itself.
   */
  private readonly pending = new Set<(error: FerryError) => void>();
  private failure: FerryError | undefined;

  constructor(readonly sftp: SFTPWrapper) {}

  /** The connection is gone: every pending and later call rejects with `error`. */
  fail(error: FerryError): void {
    this.failure ??= error;
    for (const reject of [...this.pending]) reject(this.failure);
    this.pending.clear();
  }

  private call<T>(subject: string, start: (done: Callback<T>) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      this.pending.add(reject);
      try {
        start((error, value) => {
          this.pending.delete(reject);
          if (error) reject(sftpError(error, subject));
          else resolve(value);
        });
      } catch (error) {
        this.pending.delete(reject);
        reject(sftpError(error, subject));
      }
    });
  }

  lstat(path: string): Promise<Stats> {
    return this.call(path, (done) => this.sftp.lstat(path, done));
  }

  /** The lstat, or undefined when nothing is there (NOT_FOUND); other errors throw. */
  async lstatIfAny(path: string): Promise<Stats | undefined> {
    try {
      return await this.lstat(path);
    } catch (error) {
      if (isFerryError(error, ErrorCode.NOT_FOUND)) return undefined;
      throw error;
    }
  }

  readdir(path: string): Promise<FileEntryWithStats[]> {
    return this.call(path, (done) => this.sftp.readdir(path, done));
  }

  readlink(path: string): Promise<string> {
    return this.call(path, (done) => this.sftp.readlink(path, done));
  }

  mkdir(path: string): Promise<void> {
    return this.call(path, (done) => this.sftp.mkdir(path, (error) => done(error, undefined)));
  }

  rmdir(path: string): Promise<void> {
    return this.call(path, (done) => this.sftp.rmdir(path, (error) => done(error, undefined)));
  }

  unlink(path: string): Promise<void> {
    return this.call(path, (done) => this.sftp.unlink(path, (error) => done(error, undefined)));
  }

  /** Plain SFTP rename: refuses an existing target on OpenSSH. */
  rename(from: string, to: string): Promise<void> {
    return this.call(from, (done) => this.sftp.rename(from, to, (error) => done(error, undefined)));
  }

  /**
   * posix-rename@openssh.com: replaces the target in one step. Resolves false
   * when the server does not offer the extension (ssh2 throws at once).
   */
  posixRename(from: string, to: string): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      try {
        this.sftp.ext_openssh_rename(from, to, (error) => (error ? reject(sftpError(error, from)) : resolve(true)));
      } catch {
        resolve(false);
      }
    });
  }

  setstat(path: string, attrs: InputAttributes): Promise<void> {
    return this.call(path, (done) => this.sftp.setstat(path, attrs, (error) => done(error, undefined)));
  }

  open(path: string, flags: OpenMode, attrs?: InputAttributes): Promise<Buffer> {
    return this.call(path, (done) => this.sftp.open(path, flags, attrs ?? {}, done));
  }

  fstat(handle: Buffer, path: string): Promise<Stats> {
    return this.call(path, (done) => this.sftp.fstat(handle, done));
  }

  fsetstat(handle: Buffer, path: string, attrs: InputAttributes): Promise<void> {
    return this.call(path, (done) => this.sftp.fsetstat(handle, attrs, (error) => done(error, undefined)));
  }

  close(handle: Buffer, path: string): Promise<void> {
    return this.call(path, (done) => this.sftp.close(handle, (error) => done(error, undefined)));
  }

  /**
   * Up to `length` bytes at `position`; fewer (0 at the end) when the file is
   * shorter. They land in `into` when given (at least `length` long).
   */
  read(handle: Buffer, path: string, length: number, position: number, into?: Buffer): Promise<Buffer> {
    const buffer = into ?? Buffer.allocUnsafe(length);
    return this.call<number>(path, (done) => this.sftp.read(handle, buffer, 0, length, position, (error, bytesRead) => done(error, bytesRead)))
      .then((bytesRead) => (bytesRead === length ? buffer : buffer.subarray(0, bytesRead)));
  }

  write(handle: Buffer, path: string, data: Buffer, position: number): Promise<void> {
    return this.call(path, (done) => this.sftp.write(handle, data, 0, data.length, position, (error) => done(error, undefined)));
  }
}
