/**
 * The local pane's filesystem: node:fs, with errors turned into FerryError so
 * the UI reports both sides alike.
 */
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { EntryKind, type Entry } from '../../protocol/messages.js';
import type { PaneFs } from './pane-fs.js';

const errnoCodes: Record<string, number> = {
  ENOENT: ErrorCode.NOT_FOUND,
  EEXIST: ErrorCode.EXISTS,
  EACCES: ErrorCode.PERMISSION,
  EPERM: ErrorCode.PERMISSION,
  EROFS: ErrorCode.PERMISSION,
  ENOTDIR: ErrorCode.NOT_A_DIRECTORY,
  EISDIR: ErrorCode.IS_A_DIRECTORY,
  ENOSPC: ErrorCode.NO_SPACE,
  EDQUOT: ErrorCode.NO_SPACE,
  ENOTEMPTY: ErrorCode.NOT_EMPTY,
  ENAMETOOLONG: ErrorCode.INVALID_PATH,
  EBUSY: ErrorCode.BUSY,
};

const errnoWords: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EEXIST: 'already exists',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only filesystem',
  ENOTDIR: 'not a folder',
  EISDIR: 'is a folder',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTEMPTY: 'folder not empty',
};

/** A local fs failure as a FerryError with a code and a readable message naming the path. */
export function localError(error: unknown, target: string): FerryError {
  if (error instanceof FerryError) return error;
  const errno = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const code = errnoCodes[errno] ?? ErrorCode.INTERNAL;
  const words = errnoWords[errno] ?? (error instanceof Error ? error.message : String(error));
  return new FerryError(code, `${words}: ${target}`, { cause: error });
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
    async remove(target, entry) {
      try {
        if (entry.kind === EntryKind.DIRECTORY) await fs.rm(target, { recursive: true });
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
    join: (folder, name) => path.resolve(folder, name),
    parent: (target) => path.dirname(target),
    basename: (target) => path.basename(target),
    label: (target) => target,
  };
}
