/**
 * The process's working directory as a handle on an opened folder: a batch
 * of lookups relative to it costs one magic-link resolution instead of one
 * per name (walks.ts, describeEntries, says why it is as safe as
 * `/proc/self/fd/N/name`, and what the rest of the process must keep for it).
 */
import { constants as fsConstants, openSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { closeQuietly } from './descriptors.js';
import type { OpenFolder } from './jail.js';

const { O_RDONLY, O_DIRECTORY } = fsConstants;

/**
 * Runs `use` synchronously with the process's working directory changed into
 * `folder` through its descriptor (see describeEntries in walks.ts for why
 * this is as safe as `/proc/self/fd/N/name` and what it relies on); `at(name)` is how
 * `use` reaches a name in the folder: relative to the working directory, or,
 * where that cannot be used, through the descriptor's path.
 */
export function inFolderAsWorkingDirectory<T>(folder: OpenFolder, use: (at: (name: string) => string) => T): T {
  const throughPath = (name: string): string => `${folder.path}/${name}`;
  if (!folder.throughDescriptor) return use(throughPath);
  const previous = openWorkingDirectory();
  if (previous === undefined) return use(throughPath);
  try {
    process.chdir(folder.path);
    try {
      return use((name) => name);
    } finally {
      returnToWorkingDirectory(previous);
    }
  } finally {
    closeQuietly(previous);
  }
}

/** A descriptor of the process's working directory, or undefined where it cannot be changed and restored. */
function openWorkingDirectory(): number | undefined {
  if (!isMainThread) return undefined; // process.chdir is not available in worker threads
  try {
    return openSync('.', O_RDONLY | O_DIRECTORY);
  } catch {
    return undefined;
  }
}

function returnToWorkingDirectory(fd: number): void {
  try {
    process.chdir(`/proc/self/fd/${fd}`);
  } catch {
    // Unreachable in practice (the descriptor is open); anywhere is better than the listed folder.
    process.chdir('/');
  }
}
