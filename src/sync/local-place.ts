/**
 * A local folder as a sync place. Symlinks are listed as `other` (never
 * followed); unfinished downloads (`.name.ferry-part`) are not content and
 * are not listed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { localError, sha256OfFile, wireTime } from '../client/local-files.js';
import { mapConcurrently } from '../client/map-concurrently.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { isTemporaryName } from '../protocol/temp-names.js';
import type { SyncEntry, SyncPlace } from './place.js';

/** Local files hashed at once for --checksum. */
const HASH_CONCURRENCY = 4;

export class LocalPlace implements SyncPlace {
  constructor(readonly top: string) {}

  get description(): string {
    return this.top;
  }

  fullPath(relative: string): string {
    return path.join(this.top, ...relative.split('/'));
  }

  async list(signal?: AbortSignal): Promise<SyncEntry[] | undefined> {
    let top: fs.Stats;
    try {
      top = await fs.promises.stat(this.top);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw localError(error, this.top);
    }
    if (!top.isDirectory()) throw new FerryError(ErrorCode.NOT_A_DIRECTORY, `${this.top} is not a folder`);
    const entries: SyncEntry[] = [];
    const pending = [''];
    while (pending.length > 0) {
      if (signal?.aborted) throw new FerryError(ErrorCode.CANCELLED, 'cancelled');
      const relativeDir = pending.pop()!;
      const dir = relativeDir === '' ? this.top : this.fullPath(relativeDir);
      let children: fs.Dirent[];
      try {
        // Synchronous, as the tree upload's walk: a readdir and an lstat per entry take microseconds,
        // a trip through the thread pool per folder far more; a turn of the event loop between folders.
        children = fs.readdirSync(dir, { withFileTypes: true });
      } catch (error) {
        throw localError(error, dir);
      }
      for (const child of children) {
        if (isTemporaryName(child.name)) continue;
        const relative = relativeDir === '' ? child.name : `${relativeDir}/${child.name}`;
        let st: fs.Stats | undefined;
        try {
          st = fs.lstatSync(path.join(dir, child.name), { throwIfNoEntry: false });
        } catch (error) {
          throw localError(error, path.join(dir, child.name));
        }
        if (!st) continue; // removed since the folder was read
        const kind = st.isDirectory() ? 'folder' : st.isFile() ? 'file' : 'other';
        entries.push({
          path: relative, kind, size: kind === 'file' ? st.size : 0, mtimeMs: wireTime(st.mtimeMs), mode: st.mode & 0o7777,
        });
        if (kind === 'folder') pending.push(relative);
      }
      if (pending.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return entries;
  }

  checksums(paths: readonly string[], signal?: AbortSignal): Promise<(Buffer | undefined)[]> {
    return mapConcurrently(paths, HASH_CONCURRENCY, (relative) => hashLocalFile(this.fullPath(relative)), signal);
  }

  async remove(entry: SyncEntry): Promise<void> {
    const full = this.fullPath(entry.path);
    try {
      await fs.promises.rm(full, { recursive: entry.kind === 'folder', force: true });
    } catch (error) {
      throw localError(error, full);
    }
  }
}

async function hashLocalFile(file: string): Promise<Buffer | undefined> {
  try {
    const st = await fs.promises.lstat(file);
    if (!st.isFile()) return undefined;
    return await sha256OfFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw localError(error, file);
  }
}
