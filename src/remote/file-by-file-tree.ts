/**
 * Tree transfers for kinds of remote that move one file per request (SFTP,
 * FTP). They run the same code as the Ferry kind's file-by-file path
 * (src/client/tree.ts): one walk or recursive listing, folders made level by
 * level, many files in flight at once, the same link policy, resume and
 * progress — only the single-file transfer and the listing are the kind's.
 */
import { setMaxListeners } from 'node:events';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import type { TimeOfFile } from '../protocol/file-times.js';
import { EntryKind, type Entry } from '../protocol/messages.js';
import { downloadSubset, downloadTree, uploadSubset, uploadTree, type TreeContext, type TreeSubset } from '../client/tree.js';
import { joinRemote } from '../client/remote-path.js';
import type { FileTransferJob } from '../client/transfer-common.js';
import type { ListOptions, TransferOptions, TransferResult, TreeTransferOptions, TreeTransferResult } from '../client/types.js';

/** What a kind gives: a one-level listing, mkdir, and single-file transfers with TransferOptions' meaning. */
export interface SingleFileRemote {
  /** One folder's entries (names are single components). */
  list(path: string, options?: ListOptions): Promise<Entry[]>;
  mkdir(path: string, options?: { parents?: boolean }): Promise<void>;
  upload(localPath: string, remotePath: string, options?: TransferOptions): Promise<TransferResult>;
  download(remotePath: string, localPath: string, options?: TransferOptions): Promise<TransferResult>;
  /** Remote.fileTimes, where the kind has it: a resumed tree asks it for the files its listing dates only coarsely. */
  fileTimes?(paths: readonly string[], options?: { signal?: AbortSignal }): Promise<(TimeOfFile | undefined)[]>;
}

export interface FileByFileTrees {
  uploadTree(localDir: string, remoteDir: string, options?: TreeTransferOptions): Promise<TreeTransferResult>;
  downloadTree(remoteDir: string, localDir: string, options?: TreeTransferOptions): Promise<TreeTransferResult>;
  uploadSubset(localDir: string, remoteDir: string, subset: TreeSubset, options?: TreeTransferOptions): Promise<TreeTransferResult>;
  downloadSubset(remoteDir: string, localDir: string, subset: TreeSubset, options?: TreeTransferOptions): Promise<TreeTransferResult>;
  /** The whole tree below `path` as one listing: names are relative paths, folders before what they hold. */
  listRecursively(path: string, options?: ListOptions): Promise<Entry[]>;
}

/**
 * The tree operations of a kind. `concurrency` is how many files (and folder
 * listings) are in flight at once by default: what the kind's server takes
 * well (an SFTP channel pipelines requests; FTP needs a connection each).
 */
export function fileByFileTrees(remote: SingleFileRemote, settings: { concurrency: number }): FileByFileTrees {
  const listRecursively = (path: string, options: ListOptions = {}): Promise<Entry[]> =>
    listTree(remote, path, options, settings.concurrency);
  const context: TreeContext = {
    maxInFlight: settings.concurrency * 2,
    streamsTrees: false,
    streamsNamedTrees: false,
    maxFrame: Number.MAX_SAFE_INTEGER,
    list: (path, options) => (options.recursive ? listRecursively(path, options) : remote.list(path, options)),
    mkdir: (path, options) => remote.mkdir(path, options),
    uploadFile: (job) => remote.upload(job.localPath, job.remotePath, transferOptions(job)),
    downloadFile: (job) => remote.download(job.remotePath, job.localPath, transferOptions(job)),
    ...(remote.fileTimes ? { fileTimes: (paths, options) => remote.fileTimes!(paths, options) } : {}),
  };
  const withConcurrency = (options: TreeTransferOptions): TreeTransferOptions => ({ concurrency: settings.concurrency, ...options });
  return {
    uploadTree: (localDir, remoteDir, options = {}) => uploadTree(context, localDir, remoteDir, withConcurrency(options)),
    downloadTree: (remoteDir, localDir, options = {}) => downloadTree(context, remoteDir, localDir, withConcurrency(options)),
    uploadSubset: (localDir, remoteDir, subset, options = {}) => uploadSubset(context, localDir, remoteDir, subset, withConcurrency(options)),
    downloadSubset: (remoteDir, localDir, subset, options = {}) => downloadSubset(context, remoteDir, localDir, subset, withConcurrency(options)),
    listRecursively,
  };
}

function transferOptions(job: FileTransferJob): TransferOptions {
  const report = job.report;
  return {
    overwrite: job.overwrite,
    resume: job.resume,
    ...(job.signal ? { signal: job.signal } : {}),
    ...(job.rateLimit ? { rateLimit: job.rateLimit } : {}),
    // The tree's own throttle decides how often its caller hears; every step is passed on to it.
    ...(report ? { onProgress: (progress: { bytes: number; total: number }) => report(progress.bytes, progress.total), progressIntervalMs: 0 } : {}),
  };
}

/**
 * Lists a tree one folder at a time, `concurrency` folders at once. Entries
 * come back with paths relative to `top` (as a Ferry `LIST -r` gives them),
 * each folder before its contents; `onBatch` hears each folder's entries.
 * Symlinks are listed, never entered.
 */
async function listTree(remote: SingleFileRemote, top: string, options: ListOptions, concurrency: number): Promise<Entry[]> {
  const all: Entry[] = [];
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const onOuterAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const pending: string[] = [''];
  let active = 0;
  let failure: unknown;
  try {
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        if (failure !== undefined || options.signal?.aborted) {
          if (active === 0) resolve();
          return;
        }
        while (active < concurrency && pending.length > 0) {
          const relative = pending.shift()!;
          active++;
          remote.list(relative === '' ? top : joinRemote(top, relative), {
            signal: stop.signal, ...(options.linkTargets ? { linkTargets: true } : {}),
          }).then((entries) => {
            const batch = entries.map((entry) => ({ ...entry, name: relative === '' ? entry.name : `${relative}/${entry.name}` }));
            for (const entry of batch) if (entry.kind === EntryKind.DIRECTORY) pending.push(entry.name);
            all.push(...batch);
            if (batch.length > 0) options.onBatch?.(batch);
          }, (error: unknown) => {
            failure ??= error;
            stop.abort();
          }).finally(() => {
            active--;
            pump();
          });
        }
        if (active === 0) resolve();
      };
      pump();
    });
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
  if (failure !== undefined) throw failure;
  if (options.signal?.aborted) throw new FerryError(ErrorCode.CANCELLED, 'cancelled');
  return all;
}
