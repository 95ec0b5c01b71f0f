/**
 * The local pane's filesystem: node:fs, with errors turned into FerryError so
 * the UI reports both sides alike.
 */
import { promises as fs, type Stats } from 'node:fs';
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

/** lstat calls kept in flight while listing a big folder. */
const STAT_CONCURRENCY = 64;

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
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < names.length) {
          const name = names[next++] as string;
          try {
            entries.push(entryFromStats(name, await fs.lstat(path.join(folder, name))));
          } catch {
            // Vanished between readdir and lstat: leave it out.
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, names.length) }, worker));
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
