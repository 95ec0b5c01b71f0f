/**
 * The folder a tree upload (TPUT) writes into. Items name paths below it;
 * each is reached through folders opened and checked one level at a time
 * (O_NOFOLLOW, descriptor checked inside the root), never by joining strings
 * and trusting them, so a symlink inside the tree, or a folder swapped for
 * one during the upload, cannot lead a write outside the root.
 *
 * Folders are kept open while files in them are being written (their
 * temporary files are reached through the folder's descriptor) and a few
 * more besides, since a tree's files arrive folder by folder.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { errnoCode, toFerryError } from './errors.js';
import { displayPath } from './paths.js';
import type { Jail, OpenFolder } from './jail.js';
import type { UploadFile, UploadPlan } from './upload-file.js';
import { lockNameFor } from './upload-lock.js';
import { checkUploadTarget, createUploadFile, tempName } from './upload-temporary-files.js';

/** Folders with no file in progress kept open for the files that follow. */
const IDLE_FOLDERS_KEPT = 8;

interface HeldFolder {
  folder: OpenFolder;
  /** Files in progress in it. */
  users: number;
}

export class TreeTarget {
  /** Open folders by their path below the top (`` is the top, `a/b` below it). */
  private readonly folders = new Map<string, HeldFolder>();
  /** Folders this upload created: nothing was in them before it, so their files need no target check. */
  private readonly created = new Set<string>();

  constructor(
    private readonly jail: Jail,
    top: OpenFolder,
    private readonly topComponents: readonly string[],
  ) {
    this.folders.set('', { folder: top, users: 1 });
  }

  /** Creates the folder `relative` (components below the top) and any missing parents; an existing folder is fine. */
  mkdir(relative: readonly string[]): void {
    for (let depth = 1; depth <= relative.length; depth++) {
      const key = relative.slice(0, depth).join('/');
      if (this.folders.has(key)) continue;
      const parent = this.folder(relative.slice(0, depth - 1));
      try {
        mkdirSync(path.join(parent.path, relative[depth - 1]!));
        this.created.add(key);
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw toFerryError(error, this.display(relative.slice(0, depth)));
      }
      this.folder(relative.slice(0, depth));
    }
  }

  /**
   * Checks the target of a file (its folder exists, it is not a folder, it
   * exists only with `overwrite`) and plans its temporary file; the plan holds
   * its folder open until `plan.close()`.
   */
  planFile(relative: readonly string[], overwrite: boolean): UploadPlan {
    const components = [...this.topComponents, ...relative];
    const folderKey = relative.slice(0, -1).join('/');
    const folder = this.folder(relative.slice(0, -1));
    const name = relative[relative.length - 1]!;
    // A folder this upload made held nothing before it. Should another session put the same name there
    // meanwhile, the commit still refuses to replace it without overwrite (it links, never renames over).
    if (!this.created.has(folderKey)) checkUploadTarget(`${folder.path}/${name}`, overwrite, displayPath(components));
    const held = this.folders.get(folderKey)!;
    held.users++;
    let closed = false;
    // Plain joins: every component is checked (no `/`, `.` or `..`), so there is nothing to normalise.
    const temp = tempName(name);
    return {
      key: `${folder.real}/${name}`,
      target: `${folder.path}/${name}`,
      temp: `${folder.path}/${temp}`,
      lock: `${folder.path}/${lockNameFor(temp)}`,
      tempReal: `${folder.real}/${temp}`,
      components,
      close: async () => {
        if (closed) return;
        closed = true;
        held.users--;
        await this.closeIdle();
      },
    };
  }

  /** The temporary file of `plan`, fresh and empty, created with `mode` (0: the default) where the umask allows. */
  createFile(plan: UploadPlan, mode: number): UploadFile {
    return createUploadFile(plan, mode);
  }

  async close(): Promise<void> {
    const held = [...this.folders.values()];
    this.folders.clear();
    for (const { folder } of held) await folder.close();
  }

  /** The open, checked folder `relative` below the top, opening it (and its parents) if need be. */
  private folder(relative: readonly string[]): OpenFolder {
    const key = relative.join('/');
    const held = this.folders.get(key);
    if (held) {
      // Most recently used last: the idle folders closed first are the oldest.
      this.folders.delete(key);
      this.folders.set(key, held);
      return held.folder;
    }
    const parent = this.folder(relative.slice(0, -1));
    const components = [...this.topComponents, ...relative];
    let folder: OpenFolder;
    try {
      folder = this.jail.openCheckedFolder(path.join(parent.real, relative[relative.length - 1]!), components, true);
    } catch (error) {
      // A symlink is never followed here, wherever it points (ELOOP, or ENOTDIR for O_DIRECTORY).
      if (lstatSync(path.join(parent.path, relative[relative.length - 1]!), { throwIfNoEntry: false })?.isSymbolicLink()) {
        throw new FerryError(ErrorCode.INVALID_PATH, `a symlink, not followed by a tree upload: ${displayPath(components)}`);
      }
      throw toFerryError(error, displayPath(components));
    }
    this.folders.set(key, { folder, users: 0 });
    return folder;
  }

  private async closeIdle(): Promise<void> {
    let idle = 0;
    for (const held of this.folders.values()) if (held.users === 0) idle++;
    for (const [key, held] of this.folders) {
      if (idle <= IDLE_FOLDERS_KEPT) break;
      if (held.users > 0) continue;
      this.folders.delete(key);
      idle--;
      await held.folder.close();
    }
  }

  private display(relative: readonly string[]): string {
    return displayPath([...this.topComponents, ...relative]);
  }
}
