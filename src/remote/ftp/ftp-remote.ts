/**
 * The FTP and FTPS kind of Remote (src/remote/remote.ts) over basic-ftp.
 * Every call takes a logged-in connection of the session's pool
 * (ftp-pool.ts) for as long as it needs one, so listings, single transfers
 * and the files of a tree run side by side on separate connections.
 *
 * FTP's replies say less than Ferry's error codes: an ambiguous refusal
 * (vsftpd's "550 Delete operation failed.") is explained by looking at the
 * path afterwards (ftp-probe.ts). What FTP cannot do is UNSUPPORTED and off
 * in `features`: server-side find and checksums always, chmod where the
 * server does not accept SITE CHMOD, and `uploadMtime` turns off when the
 * server refuses to set an uploaded file's time (ftp-times.ts).
 */
import type { Client } from 'basic-ftp';
import { mapConcurrently } from '../../client/map-concurrently.js';
import type { TreeSubset } from '../../client/tree.js';
import type {
  FindOptions, FindQuery, ListOptions, ModeChange, ReadStreamOptions, RemoteReadStream,
  TransferOptions, TransferResult, TreeTransferOptions, TreeTransferResult,
} from '../../client/types.js';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { EntryKind, type Entry } from '../../protocol/messages.js';
import { isTemporaryName } from '../../protocol/temp-names.js';
import { fileByFileTrees, type FileByFileTrees } from '../file-by-file-tree.js';
import type { TimeOfFile } from '../../protocol/file-times.js';
import type { Remote, RemoteDescription, RemoteFeatures } from '../remote.js';
import { downloadOverFtp } from './ftp-download.js';
import { entryOf, SECOND_MS } from './ftp-entries.js';
import { ferryErrorFromFtp, isFtpReply } from './ftp-errors.js';
import type { FtpAbilities } from './ftp-login.js';
import { ftpPath, joinPath, parentOf } from './ftp-paths.js';
import type { FtpPool } from './ftp-pool.js';
import { listFolder, listFolderIfPossible, probePath } from './ftp-probe.js';
import { openFtpReadStream } from './ftp-read-stream.js';
import { RecentListings } from './ftp-recent-listings.js';
import { sha256CommandOf, type Sha256Command } from './ftp-hash.js';
import { statPath } from './ftp-stat.js';
import { askFileTime, UploadTimes } from './ftp-times.js';
import { uploadOverFtp } from './ftp-upload.js';

/** One try of a task: `moved` once file bytes have moved (such a task is never silently run again). */
export interface Attempt {
  moved: boolean;
}

export class FtpRemote implements Remote {
  readonly features: RemoteFeatures;
  /** Trees as many single-file transfers, one pooled connection each (src/remote/file-by-file-tree.ts). */
  private readonly trees: FileByFileTrees;
  private readonly recent = new RecentListings();
  private readonly uploadTimes: UploadTimes;
  /** The server's own SHA-256 command, where it offers one: every transfer is then checked by content too. */
  private readonly sha256Command: Sha256Command | undefined;
  /** The server offers MLST (and lists with MLSD): one path is described in one reply (ftp-stat.ts). */
  private readonly machineListing: boolean;
  private open = true;
  private readonly closeListeners = new Set<(error?: Error) => void>();

  constructor(
    readonly description: RemoteDescription,
    private readonly pool: FtpPool,
    abilities: FtpAbilities,
  ) {
    this.sha256Command = sha256CommandOf(abilities.features);
    this.machineListing = abilities.features.has('MLST');
    this.uploadTimes = new UploadTimes(abilities.features, () => {
      this.features.uploadMtime = false;
    });
    this.features = {
      chmod: abilities.siteChmod, find: false, checksums: false, linkTargets: true, resume: true, uploadMtime: this.uploadTimes.kept,
    };
    this.trees = fileByFileTrees({
      list: (path, listOptions) => this.list(path, { ...listOptions, recursive: false }),
      mkdir: (path, mkdirOptions) => this.mkdir(path, mkdirOptions),
      upload: (localPath, remotePath, transferOptions) => this.upload(localPath, remotePath, transferOptions),
      download: (remotePath, localPath, transferOptions) => this.download(remotePath, localPath, transferOptions),
      fileTimes: (paths, timeOptions) => this.fileTimes(paths, timeOptions),
    }, { concurrency: pool.size });
  }

  get connected(): boolean {
    return this.open;
  }

  async list(path: string, options: ListOptions = {}): Promise<Entry[]> {
    const folder = ftpPath(path);
    // A tree is listed a folder per connection, several folders at once.
    if (options.recursive) return this.trees.listRecursively(folder, { ...options, recursive: false });
    const entries = await this.withConnection((client) => this.listEntries(client, folder, options), options.signal);
    options.onBatch?.(entries);
    return entries;
  }

  async stat(path: string, options: { signal?: AbortSignal } = {}): Promise<Entry> {
    const target = ftpPath(path);
    const entry = await this.withConnection((client) => statPath(client, target, this.machineListing), options.signal);
    // What usually comes next is a transfer of that file (ferry get): it then starts with RETR.
    if (entry.kind === EntryKind.FILE) this.recent.remember(parentOf(target), [entry]);
    return entry;
  }

  async mkdir(path: string, options: { parents?: boolean } = {}): Promise<void> {
    const target = ftpPath(path);
    await this.withConnection(async (client) => {
      if (!options.parents) {
        await this.makeFolder(client, target, false);
        return;
      }
      const parts = target.split('/').filter(Boolean);
      for (let depth = 1; depth <= parts.length; depth++) {
        await this.makeFolder(client, `/${parts.slice(0, depth).join('/')}`, true);
      }
    });
  }

  async rmdir(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    const target = ftpPath(path);
    this.recent.forget(target);
    if (target === '/') throw new FerryError(ErrorCode.PERMISSION, 'the root folder cannot be removed');
    await this.withConnection(async (client) => {
      const what = await probePath(client, target);
      if (what.kind === 'missing') throw new FerryError(ErrorCode.NOT_FOUND, `no such folder: ${target}`);
      if (what.kind === 'file') throw new FerryError(ErrorCode.NOT_A_DIRECTORY, `not a folder: ${target}`);
      if (options.recursive) await this.emptyFolder(client, target);
      const reply = await client.sendIgnoringError(`RMD ${target}`);
      if (reply.code < 400) return;
      const left = await listFolderIfPossible(client, target);
      if (left && left.some((info) => info.name !== '.' && info.name !== '..')) {
        throw new FerryError(ErrorCode.NOT_EMPTY, `folder not empty: ${target}`);
      }
      throw new FerryError(ErrorCode.PERMISSION, `permission denied: cannot remove ${target}`);
    });
  }

  async delete(path: string): Promise<void> {
    const target = ftpPath(path);
    this.recent.forget(target);
    await this.withConnection(async (client) => {
      const reply = await client.sendIgnoringError(`DELE ${target}`);
      if (reply.code < 400) return;
      const what = await probePath(client, target);
      if (what.kind === 'missing') throw new FerryError(ErrorCode.NOT_FOUND, `no such file: ${target}`);
      if (what.kind === 'directory') throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${target} is a folder`);
      throw new FerryError(ErrorCode.PERMISSION, `permission denied: cannot delete ${target}`);
    });
  }

  async rename(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const source = ftpPath(from);
    const target = ftpPath(to);
    this.recent.forget(source);
    this.recent.forget(target);
    await this.withConnection(async (client) => {
      const there = await probePath(client, target, { listParent: false });
      if (there.kind !== 'missing' && !options.overwrite) throw new FerryError(ErrorCode.EXISTS, `${target} exists`);
      if (there.kind === 'directory' && options.overwrite) {
        throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${target} is a folder: it is not replaced by a rename`);
      }
      const from = await client.sendIgnoringError(`RNFR ${source}`);
      if (from.code >= 400) {
        const what = await probePath(client, source);
        if (what.kind === 'missing') throw new FerryError(ErrorCode.NOT_FOUND, `no such file or folder: ${source}`);
        throw new FerryError(ErrorCode.PERMISSION, `permission denied: cannot rename ${source}`);
      }
      const into = await client.sendIgnoringError(`RNTO ${target}`);
      if (into.code >= 400) {
        const folder = await probePath(client, parentOf(target));
        if (folder.kind === 'missing') throw new FerryError(ErrorCode.NOT_FOUND, `no such folder: ${parentOf(target)}`);
        throw new FerryError(ErrorCode.PERMISSION, `permission denied: cannot rename ${source} to ${target}`);
      }
    });
  }

  async chmod(path: string, change: ModeChange, options: { recursive?: boolean } = {}): Promise<void> {
    if (!this.features.chmod) throw new FerryError(ErrorCode.UNSUPPORTED, 'this FTP server does not accept SITE CHMOD');
    const target = ftpPath(path);
    await this.withConnection(async (client) => {
      const top = await statPath(client, target, this.machineListing);
      await this.changeMode(client, target, top, change);
      if (options.recursive && top.kind === EntryKind.DIRECTORY) await this.changeModeBelow(client, target, change);
    });
  }

  find(_path: string, _query: FindQuery, _options?: FindOptions): Promise<Entry[]> {
    return Promise.reject(new FerryError(ErrorCode.UNSUPPORTED, 'FTP servers have no server-side search'));
  }

  checksums(_folder: string, _names: readonly string[]): Promise<(Buffer | undefined)[]> {
    return Promise.reject(new FerryError(ErrorCode.UNSUPPORTED, 'this FTP server offers no hash command'));
  }

  /**
   * MDTM for each path, several connections of the pool at once (one command
   * each, no listing): the times a LIST gives only to the minute or the day,
   * to the second. Undefined where the server states none (a folder, a
   * missing file, a server without MDTM).
   */
  async fileTimes(paths: readonly string[], options: { signal?: AbortSignal } = {}): Promise<(TimeOfFile | undefined)[]> {
    const targets = paths.map(ftpPath);
    return mapConcurrently(targets, this.pool.size, async (target) => {
      const mtimeMs = await this.withConnection((client) => askFileTime(client, target), options.signal);
      return mtimeMs === undefined ? undefined : { mtimeMs, mtimeResolutionMs: SECOND_MS };
    }, options.signal);
  }

  upload(localPath: string, remotePath: string, options: TransferOptions = {}): Promise<TransferResult> {
    const target = ftpPath(remotePath);
    this.recent.forget(target);
    return this.withConnection((client, attempt) => uploadOverFtp(client, localPath, target, options, attempt, this.uploadTimes, this.sha256Command), options.signal);
  }

  download(remotePath: string, localPath: string, options: TransferOptions = {}): Promise<TransferResult> {
    const source = ftpPath(remotePath);
    const listed = this.recent.lookup(source);
    const expected = listed?.kind === EntryKind.FILE ? {
      size: listed.size, mtimeMs: listed.mtimeMs, mode: listed.mode,
      ...(listed.mtimeResolutionMs !== undefined ? { mtimeResolutionMs: listed.mtimeResolutionMs } : {}),
    } : undefined;
    const downloading = this.withConnection(
      (client, attempt) => downloadOverFtp(client, source, localPath, options, attempt, expected, this.sha256Command), options.signal,
    );
    // A failed download may have found the listing out of date: the next try asks the server afresh.
    if (listed) downloading.catch(() => this.recent.forget(source));
    return downloading;
  }

  async openRead(remotePath: string, options: ReadStreamOptions = {}): Promise<RemoteReadStream> {
    const source = ftpPath(remotePath);
    const { client } = await this.pool.acquire(options.signal);
    return openFtpReadStream(client, source, options, () => this.pool.release(client));
  }

  uploadTree(localDir: string, remoteDir: string, options?: TreeTransferOptions): Promise<TreeTransferResult> {
    return this.trees.uploadTree(localDir, ftpPath(remoteDir), options);
  }

  downloadTree(remoteDir: string, localDir: string, options?: TreeTransferOptions): Promise<TreeTransferResult> {
    return this.trees.downloadTree(ftpPath(remoteDir), localDir, options);
  }

  uploadSubset(localDir: string, remoteDir: string, subset: TreeSubset, options?: TreeTransferOptions): Promise<TreeTransferResult> {
    return this.trees.uploadSubset(localDir, ftpPath(remoteDir), subset, options);
  }

  downloadSubset(remoteDir: string, localDir: string, subset: TreeSubset, options?: TreeTransferOptions): Promise<TreeTransferResult> {
    return this.trees.downloadSubset(ftpPath(remoteDir), localDir, subset, options);
  }

  async quit(): Promise<void> {
    if (!this.open) return;
    const idle = [...this.pool.idleMembers()];
    await Promise.all(idle.map((client) => Promise.race([
      client.sendIgnoringError('QUIT').catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 1000).unref()),
    ])));
    this.end(undefined);
  }

  close(reason?: string): void {
    this.end(new FerryError(ErrorCode.CONNECTION_LOST, reason ?? 'closed by the client'));
  }

  onClose(listener: (error?: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  private end(error: FerryError | undefined): void {
    if (!this.open) return;
    this.open = false;
    this.pool.close(error ?? new FerryError(ErrorCode.CONNECTION_LOST, 'the session has ended'));
    for (const listener of this.closeListeners) listener(error);
    this.closeListeners.clear();
  }

  /**
   * Runs `task` on a pooled connection. A failure to open a new connection
   * because the server is gone ends the session (its listeners hear why);
   * a connection lost during a task only fails that task. An idle
   * connection the server had closed unnoticed fails its first command:
   * such a task, if it had moved no file bytes yet, runs again on the next
   * connection.
   */
  private async withConnection<T>(task: (client: Client, attempt: Attempt) => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let tries = 1; ; tries++) {
      if (!this.open) throw new FerryError(ErrorCode.CONNECTION_LOST, 'the FTP session has ended');
      let taken: { client: Client; reused: boolean };
      try {
        taken = await this.pool.acquire(signal);
      } catch (error) {
        if (error instanceof FerryError && (error.code === ErrorCode.CONNECTION_LOST || error.code === ErrorCode.TIMEOUT)) this.end(error);
        throw error;
      }
      const attempt: Attempt = { moved: false };
      try {
        return await task(taken.client, attempt);
      } catch (error) {
        const failure = ferryErrorFromFtp(error, this.description.origin);
        const stale = taken.reused && failure.code === ErrorCode.CONNECTION_LOST && !attempt.moved && !signal?.aborted;
        // Each stale member is dropped as it fails, so at worst every idle one is tried, then a fresh one.
        if (!stale || tries > this.pool.size) throw failure;
      } finally {
        this.pool.release(taken.client);
      }
    }
  }

  private async listEntries(client: Client, folder: string, options: ListOptions): Promise<Entry[]> {
    const infos = await listFolder(client, folder);
    const now = Date.now();
    const entries: Entry[] = [];
    for (const info of infos) {
      if (isTemporaryName(info.name)) continue;
      const entry = entryOf(info, { now, ...(options.linkTargets ? { linkTargets: true } : {}) });
      if (entry) entries.push(entry);
    }
    this.recent.remember(folder, entries);
    return entries;
  }

  private async makeFolder(client: Client, target: string, existingIsFine: boolean): Promise<void> {
    const reply = await client.sendIgnoringError(`MKD ${target}`);
    if (reply.code < 400) return;
    const what = await probePath(client, target);
    if (what.kind === 'directory' && existingIsFine) return;
    if (what.kind !== 'missing') throw new FerryError(ErrorCode.EXISTS, `${target} exists`);
    const parent = await probePath(client, parentOf(target));
    if (parent.kind === 'missing') throw new FerryError(ErrorCode.NOT_FOUND, `no such folder: ${parentOf(target)}`);
    if (parent.kind === 'file') throw new FerryError(ErrorCode.NOT_A_DIRECTORY, `not a folder: ${parentOf(target)}`);
    throw new FerryError(ErrorCode.PERMISSION, `permission denied: cannot create ${target}`);
  }

  /** Removes everything below `folder`, temporary files included (a plain listing hides them). */
  private async emptyFolder(client: Client, folder: string): Promise<void> {
    const infos = await listFolder(client, folder);
    for (const info of infos) {
      if (info.name === '.' || info.name === '..' || info.name.includes('/')) continue;
      const child = joinPath(folder, info.name);
      if (info.isDirectory) {
        await this.emptyFolder(client, child);
        await this.command(client, `RMD ${child}`, child);
      } else {
        await this.command(client, `DELE ${child}`, child);
      }
    }
  }

  private async changeMode(client: Client, target: string, entry: Entry, change: ModeChange): Promise<void> {
    if (entry.kind === EntryKind.SYMLINK) return;
    const mode = ((entry.mode & ~change.clear) | change.set) & 0o7777;
    await this.command(client, `SITE CHMOD ${mode.toString(8).padStart(4, '0')} ${target}`, target);
  }

  private async changeModeBelow(client: Client, folder: string, change: ModeChange): Promise<void> {
    for (const entry of await this.listEntries(client, folder, {})) {
      const child = joinPath(folder, entry.name);
      await this.changeMode(client, child, entry, change);
      if (entry.kind === EntryKind.DIRECTORY) await this.changeModeBelow(client, child, change);
    }
  }

  private async command(client: Client, line: string, subject: string): Promise<void> {
    try {
      await client.send(line);
    } catch (error) {
      if (isFtpReply(error, 550, 553)) throw new FerryError(ErrorCode.PERMISSION, `permission denied: ${subject}`, { cause: error });
      throw ferryErrorFromFtp(error, subject);
    }
  }
}
