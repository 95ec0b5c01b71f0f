/**
 * The local pane's filesystem: node:fs, with errors turned into FerryError so
 * the UI reports both sides alike.
 */
import { lstatSync, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { ferryErrorFromFs } from '../../protocol/fs-errors.js';
import { EntryKind, type Entry } from '../../protocol/messages.js';
import { checkedChildName } from './child-path.js';
import type { PaneFs } from './pane-fs.js';
import { removeLocalTree } from './remove-local-tree.js';

/** `/` everywhere, and `\\` too where it separates paths. */
const separators = path.sep === '/' ? ['/'] : ['/', path.sep];

/** A local fs failure as a FerryError with a code and a readable message naming the path. */
export function localError(error: unknown, target: string): FerryError {
  return ferryErrorFromFs(error, target);
}

export function entryFromStats(name: string, stats: Stats): Entry {
  const kind = stats.isDirectory()
    ? EntryKind.DIRECTORY
    : stats.isFile()
      ? EntryKind.FILE
      : stats.isSymbolicLink()
        ? EntryKind.SYMLINK
        : EntryKind.OTHER;
  return {
    name,
    kind,
    size: kind === EntryKind.DIRECTORY ? 0 : stats.size,
    mtimeMs: Math.floor(stats.mtimeMs),
    mode: stats.mode & 0o7777,
  };
}

/**
 * lstat calls made in one synchronous step while listing a big folder, with a
 * turn of the event loop between steps. A local lstat takes microseconds;
 * through the thread pool each one cost a promise round trip more than that,
 * so a 100 000-entry folder took seconds to open. One step blocks for a
 * millisecond or two, so keys and frames still get their turn.
 */
const STATS_PER_STEP = 1000;

export function createLocalFs(): PaneFs {
  return {
    side: 'local',
    async list(folder) {
      let names: string[];
      try {
        names = await fs.readdir(folder);
      } catch (error) {
        throw localError(error, folder);
      }
      const entries: Entry[] = [];
      // Joined by hand: path.join normalises every path again, a third of the lstat loop's time.
      const prefix = folder.endsWith(path.sep) ? folder : folder + path.sep;
      for (let start = 0; start < names.length; start += STATS_PER_STEP) {
        if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        for (const name of names.slice(start, start + STATS_PER_STEP)) {
          let stats: Stats | undefined;
          try {
            stats = lstatSync(prefix + name, { throwIfNoEntry: false });
          } catch {
            // Unreadable since the readdir: left out like a vanished one.
          }
          // Undefined: vanished between readdir and lstat, left out.
          if (stats) entries.push(entryFromStats(name, stats));
        }
      }
      return entries;
    },
    async stat(target) {
      try {
        return entryFromStats(path.basename(target), await fs.lstat(target));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw localError(error, target);
      }
    },
    async mkdir(target) {
      try {
        await fs.mkdir(target);
      } catch (error) {
        throw localError(error, target);
      }
    },
    async remove(target, entry, onProgress) {
      try {
        if (entry.kind === EntryKind.DIRECTORY) await removeLocalTree(target, onProgress);
        else await fs.unlink(target);
      } catch (error) {
        throw localError(error, target);
      }
    },
    async rename(from, to) {
      try {
        // fs.rename silently replaces a file; a file manager must not.
        if (await this.stat(to)) throw new FerryError(ErrorCode.EXISTS, `already exists: ${to}`);
        await fs.rename(from, to);
      } catch (error) {
        throw localError(error, from);
      }
    },
    child: (folder, name) => path.join(folder, checkedChildName(name, separators)),
    resolve: (folder, typed) => path.resolve(folder, typed),
    parent: (target) => path.dirname(target),
    basename: (target) => path.basename(target),
    label: (target) => target,
  };
}
