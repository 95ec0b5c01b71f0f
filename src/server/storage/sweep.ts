/**
 * The sweep of stale upload temporary files (docs/SECURITY.md): below a root,
 * reserved names only, never a file a live upload of this or another ferryd
 * holds.
 */
import type { Dir } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isTemporaryName } from '../../protocol/temp-names.js';
import { isLockName, liveHolder, lockNameFor, releaseLock } from './upload-lock.js';

/**
 * Removes upload temporary files older than `maxAgeMs` below `root`,
 * except those `isActive` claims and those whose lock a live upload of
 * another ferryd holds, and the stale locks of finished holders. Visits at most `budget` entries (the walk
 * is bounded on huge trees) and does not follow symlinks. Returns the count removed.
 */
export async function removeStaleTemps(
  root: string, maxAgeMs: number, isActive: (tempPath: string) => boolean, budget = 200_000,
): Promise<number> {
  const cutoff = Date.now() - maxAgeMs;
  const folders = [root];
  let visited = 0;
  let removed = 0;
  while (folders.length > 0 && visited < budget) {
    const folder = folders.pop()!;
    let dir: Dir;
    try {
      dir = await fs.opendir(folder, { bufferSize: 256 });
    } catch {
      continue;
    }
    try {
      for await (const dirent of dir) {
        if (++visited > budget) break;
        const full = path.join(folder, dirent.name);
        if (dirent.isDirectory()) folders.push(full);
        else if (!isTemporaryName(dirent.name)) continue;
        else if (isLockName(dirent.name)) {
          // A lock whose holder is gone (or, from another host, too old): the upload it guarded is over.
          const stats = await fs.lstat(full).catch(() => undefined);
          if (stats && stats.mtimeMs < cutoff && liveHolder(full, maxAgeMs) === undefined) {
            const holder = await fs.readlink(full).catch(() => undefined);
            if (holder !== undefined) releaseLock(full, holder);
          }
        } else if (dirent.isFile() && !isActive(full) && liveHolder(path.join(folder, lockNameFor(dirent.name)), maxAgeMs) === undefined) {
          // Neither this server's upload nor a live one of another ferryd on the same folder.
          const stats = await fs.lstat(full).catch(() => undefined);
          if (stats?.isFile() && stats.mtimeMs < cutoff) {
            await fs.unlink(full).then(() => removed++, () => undefined);
          }
        }
      }
    } catch {
      // A folder removed during the walk: skip it.
    }
  }
  return removed;
}
