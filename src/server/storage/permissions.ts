/**
 * CHMD: permission bits of one entry, changed where the entry is, never
 * through a symlink. The entry is reached through its checked folder
 * (Jail.inFolder) and pinned by an O_PATH descriptor opened with O_NOFOLLOW:
 * a symlink is then the link itself (left alone, reported as such), and the
 * change goes through `/proc/self/fd/N`, which names that very inode, so no
 * rename between the check and the change can redirect it (glibc's
 * `fchmodat(AT_SYMLINK_NOFOLLOW)` works the same way). O_PATH needs no read
 * permission, so a file of mode 000 can be given its bits back.
 */
import { chmodSync, constants as fsConstants, fstatSync, lstatSync, openSync, type Stats } from 'node:fs';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { closeQuietly } from './descriptors.js';
import { toFerryError } from './errors.js';
import type { Jail } from './jail.js';
import { displayPath } from './paths.js';

/** Linux's O_PATH (fs.constants does not export it): a descriptor that names a file without reading it. */
const O_PATH = 0o10000000;

/** How CHMD changes a mode: bits cleared, then bits set (docs/PROTOCOL.md, CHMD). */
export interface ModeChange {
  clear: number;
  set: number;
}

export function applyModeChange(mode: number, change: ModeChange): number {
  return ((mode & ~change.clear) | change.set) & 0o7777;
}

/** What happened to one entry: its new mode, or nothing because it is a symlink. */
export type ModeChangeOutcome = { changed: true; mode: number } | { changed: false };

/**
 * Changes the mode of the entry `components` itself (not the root: the
 * served folder's own mode is the server's business). A symlink is left
 * alone: `{ changed: false }`.
 */
export async function changeMode(jail: Jail, components: readonly string[], change: ModeChange): Promise<ModeChangeOutcome> {
  if (components.length === 0) {
    throw new FerryError(ErrorCode.PERMISSION, "the served folder's own mode cannot be changed");
  }
  return jail.inFolder(components, (full) => {
    try {
      return Promise.resolve(jail.procFd ? changeThroughDescriptor(full, change) : changeThroughPath(full, change));
    } catch (error) {
      throw toFerryError(error, displayPath(components));
    }
  });
}

function changeThroughDescriptor(full: string, change: ModeChange): ModeChangeOutcome {
  const fd = openSync(full, O_PATH | fsConstants.O_NOFOLLOW);
  try {
    return changeDescribed(fstatSync(fd), `/proc/self/fd/${fd}`, change);
  } finally {
    closeQuietly(fd);
  }
}

/** Without /proc (not Linux): lstat, then chmod by the checked path (the narrower race described in jail.ts). */
function changeThroughPath(full: string, change: ModeChange): ModeChangeOutcome {
  return changeDescribed(lstatSync(full), full, change);
}

function changeDescribed(stats: Stats, target: string, change: ModeChange): ModeChangeOutcome {
  if (stats.isSymbolicLink()) return { changed: false };
  const mode = applyModeChange(stats.mode, change);
  if (mode !== (stats.mode & 0o7777)) chmodSync(target, mode);
  return { changed: true, mode };
}
