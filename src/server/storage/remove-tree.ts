/**
 * Recursive folder removal that cannot be redirected outside the served
 * folder. A path-based walk (fs.rm) checks a subfolder, then reaches its
 * entries by path again: a subfolder swapped for a symlink in between makes it
 * delete what the link points to. Here every folder is opened once
 * (O_DIRECTORY | O_NOFOLLOW, so a symlink is never opened as a folder) and its
 * entries are reached through that descriptor (/proc/self/fd/N/name on Linux),
 * so a swap after the open changes nothing: the entries removed are those of
 * the folder that was opened. A symlink is removed as a link, never followed.
 *
 * Any depth, with two descriptors open: the walk goes down one folder at a
 * time, closing the one above, and comes back up through the emptied
 * folder's `..`, which must be the very folder (device and inode) it came
 * down from; if the tree was moved meanwhile, the removal stops (ELOOP)
 * rather than remove names in another folder. Holding a descriptor per level
 * instead ran out of descriptors on deep trees, and each level's subfolders
 * are read once (not again after each removal).
 */
import { constants as fsConstants } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fsConstants;

interface Level {
  name: string;
  dev: number;
  ino: number;
  /** Subfolders still to remove (undefined: the folder is not read yet). */
  subfolders: string[] | undefined;
}

/**
 * Removes the folder `name` inside the open, checked folder `parent` (a
 * /proc/self/fd/N path) and everything below it. Errors are the file system's
 * (ENOTDIR/ELOOP when `name` is no folder or the tree moved during the
 * removal, ENOTEMPTY when something was added meanwhile); the caller turns
 * them into FerryErrors.
 */
export async function removeTreeAt(parent: string, name: string): Promise<void> {
  let current = await openFolder(path.join(parent, name));
  const levels: Level[] = [await levelOf(current, name)];
  try {
    for (;;) {
      const level = levels[levels.length - 1]!;
      const here = `/proc/self/fd/${current.fd}`;
      level.subfolders ??= await removeFilesIn(here);
      const sub = level.subfolders.pop();
      if (sub !== undefined) {
        const child = await openSubfolder(here, sub);
        if (!child) continue;
        try {
          levels.push(await levelOf(child, sub));
        } catch (error) {
          await child.close();
          throw error;
        }
        await current.close();
        current = child;
        continue;
      }
      if (levels.length === 1) break;
      const up = await openFolder(`${here}/..`);
      const above = levels[levels.length - 2]!;
      const stats = await up.stat();
      if (stats.dev !== above.dev || stats.ino !== above.ino) {
        await up.close();
        throw Object.assign(new Error('the folder tree moved during its removal'), { code: 'ELOOP' });
      }
      await current.close();
      current = up;
      levels.pop();
      await rmdirIfPresent(path.join(`/proc/self/fd/${up.fd}`, level.name));
    }
  } finally {
    await current.close();
  }
  await fs.rmdir(path.join(parent, name));
}

function openFolder(at: string): Promise<FileHandle> {
  return fs.open(at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
}

async function levelOf(folder: FileHandle, name: string): Promise<Level> {
  const stats = await folder.stat();
  return { name, dev: stats.dev, ino: stats.ino, subfolders: undefined };
}

/**
 * Removes every entry of the opened folder `here` that is not a folder and
 * returns the names of its subfolders. An entry swapped meanwhile (a folder
 * for a symlink or a file, or the other way) is removed as what it is now;
 * one gone meanwhile is fine.
 */
async function removeFilesIn(here: string): Promise<string[]> {
  const subfolders: string[] = [];
  for (const entry of await fs.readdir(here, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      subfolders.push(entry.name);
      continue;
    }
    try {
      await fs.unlink(path.join(here, entry.name));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EISDIR' || code === 'EPERM') subfolders.push(entry.name);
      else if (code !== 'ENOENT') throw error;
    }
  }
  return subfolders;
}

/** Opens the subfolder `name` of `here`; undefined when it is gone, or was a symlink or file (then removed as one). */
async function openSubfolder(here: string, name: string): Promise<FileHandle | undefined> {
  const at = path.join(here, name);
  try {
    return await openFolder(at);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code !== 'ELOOP' && code !== 'ENOTDIR') throw error;
  }
  await fs.unlink(at).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  });
  return undefined;
}

async function rmdirIfPresent(at: string): Promise<void> {
  try {
    await fs.rmdir(at);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
