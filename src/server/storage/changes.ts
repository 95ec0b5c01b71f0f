/**
 * The requests that change or describe one entry: STAT, MKDR, RMDR, DELF,
 * MOVE, LINK. Each reaches its last component through its folder opened and
 * checked (Jail.inFolder); MKDR -p walks down one opened folder at a time;
 * RMDR -r removes through descriptors (remove-tree.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import type { Entry } from '../../protocol/messages.js';
import { entryFromStats } from './entries.js';
import { errnoCode, toFerryError } from './errors.js';
import type { Jail } from './jail.js';
import { displayPath } from './paths.js';
import { removeTreeAt } from './remove-tree.js';

/** The entry of `components` itself (a final symlink is described, not followed). */
export async function stat(jail: Jail, components: readonly string[]): Promise<Entry> {
  const describe = async (full: string, name: string): Promise<Entry> => {
    try {
      return entryFromStats(name, await fs.lstat(full));
    } catch (error) {
      throw toFerryError(error, displayPath(components));
    }
  };
  if (components.length === 0) return describe(jail.root, '');
  return jail.inFolder(components, describe);
}

export async function mkdir(jail: Jail, components: readonly string[], parents: boolean): Promise<void> {
  if (components.length === 0) {
    if (parents) return;
    throw new FerryError(ErrorCode.EXISTS, 'the root folder exists');
  }
  if (!parents) {
    await jail.inFolder(components, async (full) => {
      try {
        await fs.mkdir(full);
      } catch (error) {
        throw toFerryError(error, displayPath(components));
      }
    });
    return;
  }
  // One component at a time through opened, checked folders, so nothing is created below a symlink leading out.
  let folder = jail.openFolder([]);
  try {
    for (let i = 0; i < components.length; i++) {
      const walked = components.slice(0, i + 1);
      const next = path.join(folder.path, components[i]!);
      try {
        await fs.mkdir(next);
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw toFerryError(error, displayPath(walked));
      }
      // Through the descriptor the next folder is opened where it is, and its descriptor checked: no realpath,
      // which walks the whole path again at every level (cubic in the depth: 5 s for 700 levels).
      let real = next;
      if (!jail.procFd) {
        try {
          real = await fs.realpath(next);
        } catch (error) {
          throw toFerryError(error, displayPath(walked));
        }
        jail.assertInside(real, walked);
      }
      const opened = jail.openCheckedFolder(real, walked, false);
      await folder.close();
      folder = opened;
    }
  } finally {
    await folder.close();
  }
}

export async function rmdir(jail: Jail, components: readonly string[], recursive: boolean): Promise<void> {
  if (components.length === 0) throw new FerryError(ErrorCode.PERMISSION, 'the root folder cannot be removed');
  const subject = displayPath(components);
  await jail.inFolder(components, async (full, name, folder) => {
    try {
      const stats = await fs.lstat(full);
      if (!stats.isDirectory()) throw new FerryError(ErrorCode.NOT_A_DIRECTORY, `not a folder: ${subject}`);
      // Through opened folder descriptors, so a subfolder swapped for a symlink meanwhile is not followed.
      if (recursive && jail.procFd) await removeTreeAt(folder.path, name);
      else if (recursive) await fs.rm(full, { recursive: true, force: false, maxRetries: 2 });
      else await fs.rmdir(full);
    } catch (error) {
      // Some systems report a non-empty folder as EEXIST.
      if (errnoCode(error) === 'EEXIST') throw new FerryError(ErrorCode.NOT_EMPTY, `folder not empty: ${subject}`);
      throw toFerryError(error, subject);
    }
  });
}

/** Deletes a file or a symlink (never what the link points to). */
export async function deleteFile(jail: Jail, components: readonly string[]): Promise<void> {
  if (components.length === 0) throw new FerryError(ErrorCode.IS_A_DIRECTORY, 'the root is a folder');
  const subject = displayPath(components);
  await jail.inFolder(components, async (full) => {
    try {
      const stats = await fs.lstat(full);
      if (stats.isDirectory()) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `is a folder: ${subject}`);
      await fs.unlink(full);
    } catch (error) {
      throw toFerryError(error, subject);
    }
  });
}

/**
 * LINK: a symlink at `components` holding `target` (checked by the caller,
 * never resolved here). With `overwrite` a file or symlink there is replaced;
 * a folder never is.
 */
export async function makeLink(jail: Jail, components: readonly string[], target: string, overwrite: boolean): Promise<void> {
  const subject = displayPath(components);
  await jail.inFolder(components, async (full) => {
    let there: Awaited<ReturnType<typeof fs.lstat>> | undefined;
    try {
      there = await fs.lstat(full);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw toFerryError(error, subject);
    }
    if (there?.isDirectory()) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `is a folder: ${subject}`);
    if (there && !overwrite) throw new FerryError(ErrorCode.EXISTS, `already exists: ${subject}`);
    try {
      if (there) await fs.unlink(full);
      await fs.symlink(target, full);
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') throw new FerryError(ErrorCode.EXISTS, `already exists: ${subject}`);
      throw toFerryError(error, subject);
    }
  });
}

export async function move(jail: Jail, from: readonly string[], to: readonly string[], overwrite: boolean): Promise<void> {
  if (from.length === 0 || to.length === 0) {
    throw new FerryError(ErrorCode.INVALID_PATH, 'the root folder cannot be moved or replaced');
  }
  await jail.inFolder(from, (source) => jail.inFolder(to, async (target) => {
    try {
      await fs.lstat(source);
    } catch (error) {
      throw toFerryError(error, displayPath(from));
    }
    if (!overwrite && await exists(target)) {
      throw new FerryError(ErrorCode.EXISTS, `already exists: ${displayPath(to)}`);
    }
    try {
      await fs.rename(source, target);
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') throw new FerryError(ErrorCode.NOT_EMPTY, `folder not empty: ${displayPath(to)}`);
      throw toFerryError(error, `${displayPath(from)} → ${displayPath(to)}`);
    }
  }));
}

async function exists(full: string): Promise<boolean> {
  try {
    await fs.lstat(full);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw toFerryError(error);
  }
}
