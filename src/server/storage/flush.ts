/**
 * Making written files durable for a tree upload's batches (TPUT, see
 * Storage.flushStaged).
 *
 * A few files are flushed one by one (fsync each, in parallel on the thread
 * pool): that touches only their data. Many are flushed with one syncfs(2) of
 * their file system instead, which costs about one flush whatever the count,
 * where an fsync per small file costs a disk flush each. Node has no binding
 * for syncfs, so it runs coreutils' `sync -f` (Linux); where that is missing
 * the files are flushed one by one.
 *
 * syncfs flushes everything dirty on the file system, not only ours, so it is
 * shared (group commit): at most one runs at a time in the process, and a
 * request made while one runs waits for the next, which starts when the
 * running one ends and covers every request made meanwhile. However many
 * sessions upload trees, the disk sees one whole-file-system flush at a time,
 * and no client can multiply them.
 */
import { execFile } from 'node:child_process';
import { closeSync, constants as fsConstants, fsync, openSync } from 'node:fs';
import { errnoCode, toFerryError } from './errors.js';

const { O_RDONLY, O_NOFOLLOW } = fsConstants;

/** Below this many paths, fsync each; from it on, one shared syncfs. */
export const SYNCFS_FROM_PATHS = 32;

let syncfsWorks: boolean | undefined = process.platform === 'linux' ? undefined : false;

/** Flushes the data (or, for folders, the entries) of `paths`, real paths on the file system holding `anyFolder`. */
export async function flushPaths(paths: readonly string[], anyFolder: string): Promise<void> {
  if (paths.length === 0) return;
  if (paths.length >= SYNCFS_FROM_PATHS && syncfsWorks !== false && await sharedSyncfs(anyFolder)) return;
  await Promise.all(paths.map((real) => fsyncPath(real)));
}

interface Waiter {
  resolve(ok: boolean): void;
}

const requested = new Set<string>();
let waiting: Waiter[] = [];
let running = false;
let runs = 0;

/** How many syncfs runs this process has made (for tests of the sharing). */
export function syncfsRuns(): number {
  return runs;
}

/** A syncfs that starts after this call, shared with every request made while the previous one ran. */
function sharedSyncfs(folder: string): Promise<boolean> {
  requested.add(folder);
  const done = new Promise<boolean>((resolve) => waiting.push({ resolve }));
  if (!running) void runSyncfs();
  return done;
}

async function runSyncfs(): Promise<void> {
  running = true;
  while (requested.size > 0) {
    const folders = [...requested];
    const batch = waiting;
    requested.clear();
    waiting = [];
    runs++;
    const ok = await syncFileSystems(folders);
    if (syncfsWorks === undefined || !ok) syncfsWorks = ok;
    for (const waiter of batch) waiter.resolve(ok);
  }
  running = false;
}

/** `sync -f` of the file systems holding `folders`; false where it is not available or failed. */
function syncFileSystems(folders: readonly string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('sync', ['-f', ...folders], { timeout: 120_000 }, (error) => resolve(!error));
  });
}

/** fsync of one file or folder by its real path (read-only descriptors can be flushed too). */
async function fsyncPath(real: string): Promise<void> {
  let fd: number;
  try {
    fd = openSync(real, O_RDONLY | O_NOFOLLOW);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw toFerryError(error);
  }
  try {
    await new Promise<void>((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
  } catch (error) {
    throw toFerryError(error);
  } finally {
    closeSync(fd);
  }
}
