/**
 * A sync as one row of the transfer queue (the sync dialog enqueues it): the
 * row's source folder made like its target folder by runSync (src/sync), with
 * the queue's progress, cancel and retry. A retry plans again, so it does only
 * what is left; a big file cut off on its way up continues from the server's
 * temporary file.
 */
import type { RateLimit } from '../../client/rate-limit.js';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import type { Remote } from '../../remote/remote.js';
import { LocalPlace } from '../../sync/local-place.js';
import type { SyncPlace } from '../../sync/place.js';
import { RemotePlace } from '../../sync/remote-place.js';
import { runSync, type SyncOutcome } from '../../sync/run-sync.js';
import type { TransferDirection } from '../state/transfers.js';

/** What the sync dialog asked for, kept on the queue row. */
export interface SyncChoices {
  /** Remove what is only in the target folder. */
  deleteExtra: boolean;
  /** Compare files of equal size by content. */
  checksum: boolean;
}

export function paneSyncPlace(local: boolean, folder: string, remote: Remote | undefined, label: string): SyncPlace {
  if (local) return new LocalPlace(folder);
  if (!remote) throw new FerryError(ErrorCode.CONNECTION_LOST, 'not connected');
  return new RemotePlace(remote, folder, label);
}

export interface QueuedSync {
  direction: TransferDirection;
  source: string;
  target: string;
  choices: SyncChoices;
}

export function runQueuedSync(
  sync: QueuedSync,
  remote: Remote | undefined,
  options: {
    signal: AbortSignal;
    onProgress: (bytesDone: number, bytesTotal: number, filesDone: number, filesTotal: number) => void;
    rateLimit?: RateLimit;
  },
): Promise<SyncOutcome> {
  if (sync.direction !== 'copy' && !remote) throw new FerryError(ErrorCode.CONNECTION_LOST, 'not connected');
  const source = paneSyncPlace(sync.direction !== 'download', sync.source, remote, sync.source);
  const target = paneSyncPlace(sync.direction !== 'upload', sync.target, remote, sync.target);
  return runSync(source, target, {
    deleteExtra: sync.choices.deleteExtra, checksum: sync.choices.checksum, signal: options.signal,
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    onProgress: (p) => options.onProgress(p.bytesDone, p.bytesTotal, p.filesDone, p.filesTotal),
  });
}
