/**
 * Deletes a remote folder and everything below it, counting as it goes: the
 * tree is listed recursively (LIST -r, whose batches stream in), and every
 * file or link is deleted (DELF) as soon as its batch arrives, many requests
 * in flight at once; the folders, empty by then, go last in one RMDR -r.
 *
 * Why not RMDR -r alone: the server answers it only when the whole tree is
 * gone, so a folder of 100 000 files showed nothing for seconds. Why not a
 * progress report from the server: that is a protocol change, and this works
 * with every ferryd (and with any remote whose list, delete and rmdir mean
 * the same). The cost, a request per file, is pipelined (the connection keeps
 * up to its maxInFlight requests open) and is paid while the count moves.
 * Names a listing leaves out (control characters) are still removed by the
 * closing RMDR -r.
 */
import type { Entry, ListOptions } from '../../client/types.js';
import { EntryKind } from '../../protocol/messages.js';
import { joinRemote } from '../../client/remote-path.js';

/** What deleting a remote tree needs of a session: FerryClient and every Remote have it. */
export interface RemoteTreeOps {
  list(path: string, options?: ListOptions): Promise<Entry[]>;
  delete(path: string): Promise<void>;
  rmdir(path: string, options?: { recursive?: boolean }): Promise<void>;
}

/** Deletes kept in flight at once: enough to hide the round trip, within any server's request limit. */
const DELETES_IN_FLIGHT = 24;

/**
 * Removes `top` and everything below it. `onProgress` hears the number of
 * entries removed so far (files and links as they go, the folders at the
 * end); a returned promise is waited for before going on.
 */
export async function removeRemoteTree(
  ops: RemoteTreeOps, top: string, onProgress?: (removed: number) => void | Promise<void>,
): Promise<void> {
  const pending: string[] = [];
  const waiting: (() => void)[] = [];
  const wakeAll = (): void => {
    for (const wake of waiting.splice(0)) wake();
  };
  let listed = false;
  let failure: unknown;
  let removed = 0;
  let folders = 0;
  let reporting: Promise<void> | undefined;

  const listing = ops.list(top, {
    recursive: true,
    onBatch: (entries) => {
      for (const entry of entries) {
        if (entry.kind === EntryKind.DIRECTORY) folders++;
        else pending.push(joinRemote(top, entry.name));
      }
      wakeAll();
    },
  }).then(() => undefined, (error: unknown) => {
    failure ??= error;
  }).finally(() => {
    listed = true;
    wakeAll();
  });

  const worker = async (): Promise<void> => {
    for (;;) {
      if (failure !== undefined) return;
      const next = pending.pop();
      if (next === undefined) {
        if (listed) return;
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      try {
        await ops.delete(next);
      } catch (error) {
        failure ??= error;
        wakeAll();
        return;
      }
      removed++;
      // One report at a time; a caller that waits (to have it drawn) holds the workers back meanwhile.
      if (onProgress && !reporting) {
        const report = onProgress(removed);
        if (report) {
          reporting = report.finally(() => {
            reporting = undefined;
          });
        }
      }
      if (reporting) await reporting;
    }
  };
  await Promise.all([listing, ...Array.from({ length: DELETES_IN_FLIGHT }, worker)]);
  if (failure !== undefined) throw failure;
  // Only folders are left (and names the listing could not carry): one request removes them.
  await ops.rmdir(top, { recursive: true });
  removed += folders + 1;
  await onProgress?.(removed);
}
