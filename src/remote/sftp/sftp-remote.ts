/**
 * The SFTP kind of Remote: one SSH connection, one SFTP channel (ssh2), the
 * operations of remote.ts translated to SFTP requests. What SFTP version 3
 * cannot say (exists, not empty, is a folder) is found by looking at the path
 * once more after a bare FAILURE. Trees are many single-file transfers at
 * once (file-by-file-tree.ts).
 */
import { refuseServerRoot } from '../server-root.js';
import type { Client } from 'ssh2';
import { cancelledError } from '../../client/exchange.js';
import type {
  FindOptions, FindQuery, ListOptions, ModeChange, ReadStreamOptions, RemoteReadStream,
  TransferOptions, TransferResult, TreeTransferOptions, TreeTransferResult,
} from '../../client/types.js';
import type { TreeSubset } from '../../client/tree.js';
import { checkListedName } from '../../client/remote-path.js';
import { ErrorCode, FerryError, isFerryError } from '../../protocol/errors.js';
import { EntryKind, type Entry } from '../../protocol/messages.js';
import { compileNamePattern } from '../../server/name-pattern.js';
import type { Remote, RemoteDescription, RemoteFeatures } from '../remote.js';
import { SftpReadStream } from './read-stream.js';
import { entryKindOf, entryOf, type SftpCalls } from './sftp-calls.js';
import { downloadFile, remoteJoin, renameIntoPlace, uploadFile, type PipelineShape } from './transfers.js';
import type { FileByFileTrees } from '../file-by-file-tree.js';
import { sftpTrees } from './trees.js';

/** How long quit() waits for the server to close the connection before cutting it. */
const QUIT_GRACE_MS = 2000;

/** Bytes in flight per file at most: what a transfer can hold in memory. */
const IN_FLIGHT_BYTES = 4 * 1024 * 1024;
const SMALLEST_REQUEST = 32 * 1024;
const LARGEST_REQUEST = 256 * 1024;

/**
 * Requests as large as the server takes (OpenSSH says 255 KiB through its
 * limits@openssh.com extension; SFTP's own minimum is 32 KiB), as many as fit
 * in IN_FLIGHT_BYTES, at most 64 (OpenSSH's sftp: 64 × 32 KiB). Large requests
 * matter here: each one costs a callback and a disk write in this process, and
 * on loopback 255 KiB × 16 moved 128 MiB in about half the time of 32 KiB × 64.
 * A request larger than the server's limit would be split by ssh2 into pieces
 * sent one after the other, so the limit is the ceiling.
 */
export function pipelineShape(serverLimit: number | undefined): PipelineShape {
  const chunk = Math.min(LARGEST_REQUEST, Math.max(SMALLEST_REQUEST, serverLimit ?? SMALLEST_REQUEST));
  return { chunk, depth: Math.min(64, Math.max(1, Math.floor(IN_FLIGHT_BYTES / chunk))) };
}

/** How transfers of a session are pipelined, one shape for reads and one for writes. */
export interface PipelineShapes {
  read: PipelineShape;
  write: PipelineShape;
}

export const DEFAULT_PIPELINE: PipelineShapes = { read: pipelineShape(undefined), write: pipelineShape(undefined) };

export class SftpRemote implements Remote {
  readonly features: RemoteFeatures = {
    chmod: true, find: true, checksums: false, linkTargets: true, resume: true, uploadMtime: true,
  };
  private readonly trees: FileByFileTrees;
  private isConnected = true;
  private closeReason: FerryError | undefined;
  private readonly closeListeners = new Set<(error?: Error) => void>();
  private quitting = false;

  constructor(
    private readonly client: Client,
    readonly calls: SftpCalls,
    readonly description: RemoteDescription,
    readonly pipeline: PipelineShapes = DEFAULT_PIPELINE,
  ) {
    this.trees = sftpTrees(this, calls, pipeline);
    client.on('error', (error: Error) => {
      this.closeReason ??= new FerryError(ErrorCode.CONNECTION_LOST, `the SSH connection failed: ${error.message}`);
    });
    client.on('close', () => this.ended());
    calls.sftp.on('close', () => {
      this.closeReason ??= new FerryError(ErrorCode.CONNECTION_LOST, 'the server closed the SFTP channel');
      client.end();
    });
  }

  get connected(): boolean {
    return this.isConnected;
  }

  private ended(): void {
    if (!this.isConnected) return;
    this.isConnected = false;
    const lost = this.closeReason ?? new FerryError(ErrorCode.CONNECTION_LOST, 'the SSH connection closed');
    this.calls.fail(lost);
    const reason = this.quitting ? undefined : lost;
    for (const listener of this.closeListeners) listener(reason);
    this.closeListeners.clear();
  }

  onClose(listener: (error?: Error) => void): () => void {
    if (!this.isConnected) {
      queueMicrotask(() => listener(this.quitting ? undefined : this.closeReason));
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  async quit(): Promise<void> {
    if (!this.isConnected) return;
    this.quitting = true;
    const closed = new Promise<void>((resolve) => this.client.once('close', () => resolve()));
    this.client.end();
    // A server that never answers the end is cut off: quitting must not hang.
    const timer = setTimeout(() => this.client.destroy(), QUIT_GRACE_MS);
    await closed;
    clearTimeout(timer);
  }

  close(reason?: string): void {
    if (!this.isConnected) return;
    this.closeReason ??= new FerryError(ErrorCode.CONNECTION_LOST, reason ?? 'closed');
    this.client.destroy();
    this.ended();
  }

  private alive(): void {
    if (!this.isConnected) throw this.closeReason ?? new FerryError(ErrorCode.CONNECTION_LOST, 'the SSH connection closed');
  }

  // ---------------------------------------------------------------- listing

  async list(path: string, options: ListOptions = {}): Promise<Entry[]> {
    this.alive();
    return options.recursive ? this.trees.listRecursively(path, options) : this.listFolder(path, options);
  }

  private async listFolder(path: string, options: ListOptions): Promise<Entry[]> {
    if (options.signal?.aborted) throw cancelledError();
    let listed;
    try {
      listed = await this.calls.readdir(path);
    } catch (error) {
      throw await this.refined(error, path, 'list');
    }
    const entries: Entry[] = [];
    for (const item of listed) {
      if (item.filename === '.' || item.filename === '..') continue;
      const entry = entryOf(checkListedName(item.filename, false), item.attrs);
      if (options.linkTargets && entry.kind === EntryKind.SYMLINK) {
        entry.linkTarget = await this.calls.readlink(remoteJoin(path, item.filename)).catch(() => '');
      }
      entries.push(entry);
    }
    options.onBatch?.(entries);
    return entries;
  }

  async stat(path: string, options: { signal?: AbortSignal } = {}): Promise<Entry> {
    this.alive();
    if (options.signal?.aborted) throw cancelledError();
    const stats = await this.calls.lstat(path);
    const slash = path.replace(/\/+$/, '').lastIndexOf('/');
    return entryOf(path.replace(/\/+$/, '').slice(slash + 1) || '/', stats);
  }

  /** A bare FAILURE said more precisely, by looking at the path (SFTP v3 has no EEXIST or ENOTEMPTY). */
  private async refined(error: unknown, path: string, operation: 'mkdir' | 'rmdir' | 'delete' | 'list'): Promise<unknown> {
    // OpenSSH answers an opendir of a file with NO_SUCH_FILE (it maps ENOTDIR so): the path says which it was.
    const listedFile = operation === 'list' && isFerryError(error, ErrorCode.NOT_FOUND);
    if (!isFerryError(error, ErrorCode.INTERNAL) && !listedFile) return error;
    const there = await this.calls.lstatIfAny(path).catch(() => undefined);
    const kind = there ? entryKindOf(there.mode) : undefined;
    if (operation === 'mkdir' && there) return new FerryError(ErrorCode.EXISTS, `${path} exists`);
    if (operation === 'rmdir' && kind === EntryKind.DIRECTORY) {
      const inside = await this.calls.readdir(path).catch(() => []);
      if (inside.some((item) => item.filename !== '.' && item.filename !== '..')) return new FerryError(ErrorCode.NOT_EMPTY, `${path} is not empty`);
    }
    if ((operation === 'rmdir' || operation === 'list') && there && kind !== EntryKind.DIRECTORY) {
      return new FerryError(ErrorCode.NOT_A_DIRECTORY, `${path} is not a folder`);
    }
    if (operation === 'delete' && kind === EntryKind.DIRECTORY) return new FerryError(ErrorCode.IS_A_DIRECTORY, `${path} is a folder`);
    return error;
  }

  // ---------------------------------------------------------------- changes

  async mkdir(path: string, options: { parents?: boolean } = {}): Promise<void> {
    this.alive();
    if (!options.parents) {
      try {
        await this.calls.mkdir(path);
      } catch (error) {
        throw await this.refined(error, path, 'mkdir');
      }
      return;
    }
    const absolute = path.startsWith('/');
    const parts = path.split('/').filter((part) => part !== '' && part !== '.');
    let current = absolute ? '' : '.';
    for (const part of parts) {
      current = absolute ? `${current}/${part}` : current === '.' ? part : `${current}/${part}`;
      const there = await this.calls.lstatIfAny(current);
      if (there) {
        if (entryKindOf(there.mode) !== EntryKind.DIRECTORY && entryKindOf(there.mode) !== EntryKind.SYMLINK) {
          throw new FerryError(ErrorCode.NOT_A_DIRECTORY, `${current} is not a folder`);
        }
        continue;
      }
      try {
        await this.calls.mkdir(current);
      } catch (error) {
        // Made meanwhile by someone else: fine for a parents mkdir.
        const now = await this.calls.lstatIfAny(current).catch(() => undefined);
        if (!now || entryKindOf(now.mode) !== EntryKind.DIRECTORY) throw await this.refined(error, current, 'mkdir');
      }
    }
  }

  async rmdir(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    this.alive();
    // An SFTP login sees the server's whole file system (no jail): removing its root would take the machine.
    refuseServerRoot(path);
    if (options.recursive) {
      const stats = await this.calls.lstat(path);
      if (entryKindOf(stats.mode) !== EntryKind.DIRECTORY) throw new FerryError(ErrorCode.NOT_A_DIRECTORY, `${path} is not a folder`);
      await this.removeContents(path);
    }
    try {
      await this.calls.rmdir(path);
    } catch (error) {
      throw await this.refined(error, path, 'rmdir');
    }
  }

  private async removeContents(folder: string): Promise<void> {
    const listed = await this.calls.readdir(folder);
    for (const item of listed) {
      if (item.filename === '.' || item.filename === '..') continue;
      const child = remoteJoin(folder, item.filename);
      if (entryKindOf(item.attrs.mode) === EntryKind.DIRECTORY) {
        await this.removeContents(child);
        await this.calls.rmdir(child);
      } else {
        await this.calls.unlink(child);
      }
    }
  }

  async delete(path: string): Promise<void> {
    this.alive();
    try {
      await this.calls.unlink(path);
    } catch (error) {
      throw await this.refined(error, path, 'delete');
    }
  }

  async rename(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    this.alive();
    await this.calls.lstat(from);
    const target = await this.calls.lstatIfAny(to);
    if (target && !options.overwrite) throw new FerryError(ErrorCode.EXISTS, `${to} exists`);
    if (target && entryKindOf(target.mode) === EntryKind.DIRECTORY) {
      throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${to} is a folder: it is not replaced`);
    }
    await renameIntoPlace(this.calls, from, to, options.overwrite ?? false);
  }

  async chmod(path: string, change: ModeChange, options: { recursive?: boolean } = {}): Promise<void> {
    this.alive();
    const stats = await this.calls.lstat(path);
    await this.changeMode(path, stats.mode, change, options.recursive ?? false);
  }

  /** Symlinks are never changed nor followed (SFTP's setstat would change their targets). */
  private async changeMode(path: string, mode: number, change: ModeChange, recursive: boolean): Promise<void> {
    const kind = entryKindOf(mode);
    if (kind === EntryKind.SYMLINK) return;
    const next = ((mode & 0o7777 & ~change.clear) | change.set) & 0o7777;
    if (next !== (mode & 0o7777)) await this.calls.setstat(path, { mode: next });
    if (!recursive || kind !== EntryKind.DIRECTORY) return;
    for (const item of await this.calls.readdir(path)) {
      if (item.filename === '.' || item.filename === '..') continue;
      await this.changeMode(remoteJoin(path, item.filename), item.attrs.mode, change, true);
    }
  }

  /**
   * SFTP has no search: the tree is listed (many folders at once) and the
   * entries matched here, by the protocol's own name patterns
   * (docs/PROTOCOL.md §6, Find), so the answer is what a ferryd would give.
   */
  async find(path: string, query: FindQuery, options: FindOptions = {}): Promise<Entry[]> {
    this.alive();
    const matchesName = compileNamePattern(query.pattern, query.ignoreCase ?? false);
    const keep = (entry: Entry): boolean =>
      entry.size >= (query.minSize ?? 0) && entry.size <= (query.maxSize ?? Number.MAX_SAFE_INTEGER)
      && entry.mtimeMs >= (query.minMtimeMs ?? 0) && entry.mtimeMs <= (query.maxMtimeMs ?? Number.MAX_SAFE_INTEGER)
      && matchesName(entry.name.slice(entry.name.lastIndexOf('/') + 1));
    const found: Entry[] = [];
    await this.trees.listRecursively(path, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.linkTargets ? { linkTargets: true } : {}),
      onBatch: (batch) => {
        const matches = batch.filter(keep);
        if (matches.length === 0) return;
        found.push(...matches);
        options.onBatch?.(matches);
      },
    });
    return found;
  }

  checksums(): Promise<(Buffer | undefined)[]> {
    return Promise.reject(new FerryError(ErrorCode.UNSUPPORTED, 'SFTP servers do not hash files'));
  }

  // ---------------------------------------------------------------- transfers

  async upload(localPath: string, remotePath: string, options?: TransferOptions): Promise<TransferResult> {
    this.alive();
    return uploadFile(this.calls, this.pipeline.write, localPath, remotePath, options);
  }

  async download(remotePath: string, localPath: string, options?: TransferOptions): Promise<TransferResult> {
    this.alive();
    return downloadFile(this.calls, this.pipeline.read, remotePath, localPath, options);
  }

  async openRead(remotePath: string, options: ReadStreamOptions = {}): Promise<RemoteReadStream> {
    this.alive();
    if (options.signal?.aborted) throw cancelledError();
    const handle = await this.calls.open(remotePath, 'r');
    try {
      const stats = await this.calls.fstat(handle, remotePath);
      if (entryKindOf(stats.mode) === EntryKind.DIRECTORY) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${remotePath} is a folder`);
      const offset = options.offset ?? 0;
      if (offset > stats.size) throw new FerryError(ErrorCode.SIZE_MISMATCH, `${remotePath} has only ${stats.size} bytes`);
      return new SftpReadStream(
        this.calls, handle, remotePath, offset, stats.size, stats.mtime * 1000, this.pipeline.read.chunk, options.window, options.signal,
      );
    } catch (error) {
      await this.calls.close(handle, remotePath).catch(() => undefined);
      throw error;
    }
  }

  async uploadTree(localDir: string, remoteDir: string, options: TreeTransferOptions = {}): Promise<TreeTransferResult> {
    this.alive();
    return this.trees.uploadTree(localDir, remoteDir, options);
  }

  async downloadTree(remoteDir: string, localDir: string, options: TreeTransferOptions = {}): Promise<TreeTransferResult> {
    this.alive();
    return this.trees.downloadTree(remoteDir, localDir, options);
  }

  async uploadSubset(localDir: string, remoteDir: string, subset: TreeSubset, options: TreeTransferOptions = {}): Promise<TreeTransferResult> {
    this.alive();
    return this.trees.uploadSubset(localDir, remoteDir, subset, options);
  }

  async downloadSubset(remoteDir: string, localDir: string, subset: TreeSubset, options: TreeTransferOptions = {}): Promise<TreeTransferResult> {
    this.alive();
    return this.trees.downloadSubset(remoteDir, localDir, subset, options);
  }
}
