/**
 * Recursive folder removal that cannot be redirected outside the served
 * folder. A path-based walk (fs.rm) checks a subfolder, then reaches its
 * entries by path again: a subfolder swapped for a symlink in between makes it
 * delete what the link points to. Here every folder is opened once
 * (O_DIRECTORY | O_NOFOLLOW, so a symlink is never opened as a folder) and its
 * entries are reached through that descriptor (/proc/self/fd/N/name on Linux),
 * so a swap after the open changes nothing: the entries removed are those of
 * the folder that was opened. A symlink is removed as a link, never followed.
 */
import { constants as fsConstants } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fsConstants;

/** Deeper than any tree a path of the protocol's length limits can name; stops a runaway walk. */
const MAX_DEPTH = 4096;

/**
 * Removes the folder `name` inside the open, checked folder `parent` (a
 * /proc/self/fd/N path) and everything below it. Errors are the file system's
 * (ENOTDIR/ELOOP when `name` is no folder, ENOTEMPTY when something was added
 * meanwhile); the caller turns them into FerryErrors.
 */
export async function removeTreeAt(parent: string, name: string): Promise<void> {
  await removeBelow(parent, name, 0);
}

async function removeBelow(parent: string, name: string, depth: number): Promise<void> {
  if (depth > MAX_DEPTH) throw Object.assign(new Error(`folder tree deeper than ${MAX_DEPTH} levels`), { code: 'ELOOP' });
  const at = path.join(parent, name);
  const folder: FileHandle = await fs.open(at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  try {
    const here = `/proc/self/fd/${folder.fd}`;
    for (const entry of await fs.readdir(here, { withFileTypes: true })) {
      await removeEntry(here, entry.name, entry.isDirectory(), depth);
    }
  } finally {
    await folder.close();
  }
  await fs.rmdir(at);
}

/**
 * Removes one entry of an opened folder as what it was listed as; if it was swapped meanwhile (a folder
 * for a symlink or a file, or the other way), once more as what it is now. One gone meanwhile is fine.
 */
async function removeEntry(folder: string, name: string, listedAsFolder: boolean, depth: number): Promise<void> {
  for (const asFolder of [listedAsFolder, !listedAsFolder]) {
    try {
      if (asFolder) await removeBelow(folder, name, depth + 1);
      else await fs.unlink(path.join(folder, name));
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      const isOtherKind = asFolder ? code === 'ELOOP' || code === 'ENOTDIR' : code === 'EISDIR' || code === 'EPERM';
      if (!isOtherKind || asFolder !== listedAsFolder) throw error;
    }
  }
}
